// Time types shared by every module: one millisecond-resolution time point on the UTC timeline.
// Logic never reads a clock; it receives a TimePoint (see clock.hpp).
//   TimePoint t = from_civil(2020, 1, 1) + hours(12);
#pragma once

#include <chrono>
#include <cstdint>

namespace wattshare {

using Duration = std::chrono::milliseconds;
using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// Midnight UTC of a civil date.
constexpr TimePoint from_civil(int year, unsigned month, unsigned day) {
  return TimePoint{std::chrono::sys_days{std::chrono::year{year} / std::chrono::month{month} /
                                         std::chrono::day{day}}};
}

// Integer division rounding toward minus infinity: the day of a minute index before 1970 too.
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

// The minute of its day (0-1439) of a minute index, before 1970 too.
constexpr int minute_of_day(std::int64_t minute) { return static_cast<int>(minute - floor_div(minute, 1440) * 1440); }

constexpr double to_seconds(Duration d) { return static_cast<double>(d.count()) / 1000.0; }

constexpr Duration from_seconds(double s) {
  return Duration{static_cast<std::int64_t>(s * 1000.0 + (s >= 0 ? 0.5 : -0.5))};
}

}  // namespace wattshare
