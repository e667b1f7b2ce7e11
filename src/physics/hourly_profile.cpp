#include "physics/hourly_profile.hpp"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace wattshare {

tl::expected<HourlyProfile, Error> HourlyProfile::parse(const std::string& text,
                                                        const std::string& origin) {
  HourlyProfile p;
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    std::size_t start = 0;
    int count = 0;
    while (start <= line.size()) {
      const std::size_t comma = line.find(',', start);
      const std::string cell = line.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      char* end = nullptr;
      const double v = std::strtod(cell.c_str(), &end);
      if (cell.empty() || end == cell.c_str() || *end != '\0' || !std::isfinite(v) || v < 0)
        return tl::unexpected(Error::invalid_config(fmt::format(
            "{}:{}: value {} '{}' is not a non-negative number of W", origin, line_no, count + 1,
            cell)));
      p.values_.push_back(v);
      ++count;
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (count != 24)
      return tl::unexpected(Error::invalid_config(
          fmt::format("{}:{}: expected 24 hourly values, found {}", origin, line_no, count)));
  }
  if (p.values_.empty())
    return tl::unexpected(Error::invalid_config(fmt::format("{}: no data rows", origin)));
  return p;
}

tl::expected<HourlyProfile, Error> HourlyProfile::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return tl::unexpected(Error::invalid_config(fmt::format("{}: cannot open file", path)));
  std::ostringstream buf;
  buf << in.rdbuf();
  return parse(buf.str(), path);
}

double HourlyProfile::power_w(int day_of_year, double minute_of_day) const {
  const std::size_t n_days = days();
  const std::size_t day = static_cast<std::size_t>(std::max(0, day_of_year - 1)) % n_days;
  const double hour = minute_of_day / 60.0;
  const auto h0 = static_cast<std::size_t>(hour);
  const double f = hour - static_cast<double>(h0);
  const std::size_t i0 = day * 24 + h0;
  const std::size_t i1 = (i0 + 1) % values_.size();
  return values_[i0] * (1.0 - f) + values_[i1] * f;
}

double HourlyProfile::annual_wh() const {
  double s = 0;
  for (double v : values_) s += v;
  return s;
}

}  // namespace wattshare
