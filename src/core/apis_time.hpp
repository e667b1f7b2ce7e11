// APIS's time format `uuuu/MM/dd-HH:mm:ss` (e.g. "2020/01/01-12:00:00"), used in unit data, deals
// and requests. APIS writes local time; callers pass the UTC offset of the community.
//   format_apis_time(t, hours(9)) == "2020/01/01-21:00:00"
#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "core/error.hpp"
#include "core/time.hpp"

namespace wattshare {

// Formats `t` shifted by `utc_offset` as uuuu/MM/dd-HH:mm:ss (seconds truncated).
std::string format_apis_time(TimePoint t, Duration utc_offset = Duration::zero());

// Writes the 19 characters of the format into `out` (no allocation); returns the end pointer.
char* format_apis_time_to(char* out, TimePoint t, Duration utc_offset = Duration::zero());

// Parses uuuu/MM/dd-HH:mm:ss as local time at `utc_offset`; rejects any other shape or an
// impossible date (2021/02/30) with a bad_input error naming the problem.
[[nodiscard]] tl::expected<TimePoint, Error> parse_apis_time(std::string_view text,
                                                             Duration utc_offset = Duration::zero());

// Parses a plain ISO date YYYY-MM-DD (midnight UTC).
[[nodiscard]] tl::expected<TimePoint, Error> parse_iso_date(std::string_view text);

}  // namespace wattshare
