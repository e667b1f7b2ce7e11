#include "core/apis_time.hpp"

#include <fmt/format.h>

namespace wattshare {
namespace {

char* put2(char* out, unsigned v) {
  out[0] = static_cast<char>('0' + v / 10 % 10);
  out[1] = static_cast<char>('0' + v % 10);
  return out + 2;
}

// Reads exactly `width` digits at text[pos]; false if any is not a digit.
bool read_digits(std::string_view text, std::size_t pos, std::size_t width, int& value) {
  if (pos + width > text.size()) return false;
  value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  return true;
}

}  // namespace

char* format_apis_time_to(char* out, TimePoint t, Duration utc_offset) {
  using namespace std::chrono;
  const auto local = t + utc_offset;
  const auto day = floor<days>(local);
  const year_month_day ymd{day};
  const hh_mm_ss hms{floor<seconds>(local - day)};
  int y = static_cast<int>(ymd.year());
  if (y < 0) y = 0;
  out[0] = static_cast<char>('0' + y / 1000 % 10);
  out[1] = static_cast<char>('0' + y / 100 % 10);
  out = put2(out + 2, static_cast<unsigned>(y % 100));
  *out++ = '/';
  out = put2(out, static_cast<unsigned>(ymd.month()));
  *out++ = '/';
  out = put2(out, static_cast<unsigned>(ymd.day()));
  *out++ = '-';
  out = put2(out, static_cast<unsigned>(hms.hours().count()));
  *out++ = ':';
  out = put2(out, static_cast<unsigned>(hms.minutes().count()));
  *out++ = ':';
  return put2(out, static_cast<unsigned>(hms.seconds().count()));
}

std::string format_apis_time(TimePoint t, Duration utc_offset) {
  std::string s(19, '\0');
  format_apis_time_to(s.data(), t, utc_offset);
  return s;
}

tl::expected<TimePoint, Error> parse_apis_time(std::string_view text, Duration utc_offset) {
  using namespace std::chrono;
  auto bad = [&](std::string_view why) {
    return tl::unexpected(Error::bad_input(
        fmt::format("time '{}': {} (expected uuuu/MM/dd-HH:mm:ss)", text, why)));
  };
  if (text.size() != 19) return bad("wrong length");
  if (text[4] != '/' || text[7] != '/' || text[10] != '-' || text[13] != ':' || text[16] != ':')
    return bad("wrong separators");
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!read_digits(text, 0, 4, y) || !read_digits(text, 5, 2, mo) || !read_digits(text, 8, 2, d) ||
      !read_digits(text, 11, 2, h) || !read_digits(text, 14, 2, mi) ||
      !read_digits(text, 17, 2, s))
    return bad("non-digit where a digit is expected");
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return bad("no such date");
  if (h > 23 || mi > 59 || s > 59) return bad("no such time of day");
  const TimePoint local = TimePoint{sys_days{ymd}} + hours{h} + minutes{mi} + seconds{s};
  return local - utc_offset;
}

tl::expected<TimePoint, Error> parse_iso_date(std::string_view text) {
  using namespace std::chrono;
  int y = 0, mo = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !read_digits(text, 0, 4, y) ||
      !read_digits(text, 5, 2, mo) || !read_digits(text, 8, 2, d))
    return tl::unexpected(
        Error::bad_input(fmt::format("date '{}': expected YYYY-MM-DD", text)));
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok())
    return tl::unexpected(Error::bad_input(fmt::format("date '{}': no such date", text)));
  return TimePoint{sys_days{ymd}};
}

}  // namespace wattshare
