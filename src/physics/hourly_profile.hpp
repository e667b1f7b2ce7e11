// Replay of an hourly profile such as APIS's sample PV data: 365 rows (days from 1 January) of
// 24 comma-separated values in W. Values are interpolated linearly between hours, as the APIS
// emulator does, and the year repeats.
//   auto pv = HourlyProfile::load("examples/apis-sample/pv-hourly.csv");
//   double w = pv->power_w(day_of_year, minute_of_day);
#pragma once

#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "core/error.hpp"

namespace wattshare {

class HourlyProfile {
 public:
  [[nodiscard]] static tl::expected<HourlyProfile, Error> parse(const std::string& text,
                                                                const std::string& origin);
  [[nodiscard]] static tl::expected<HourlyProfile, Error> load(const std::string& path);

  // day_of_year 1..366 (366 reuses day 365), minute_of_day in [0, 1440).
  [[nodiscard]] double power_w(int day_of_year, double minute_of_day) const;
  [[nodiscard]] std::size_t days() const { return values_.size() / 24; }
  [[nodiscard]] double annual_wh() const;

 private:
  std::vector<double> values_;  // days x 24
};

}  // namespace wattshare
