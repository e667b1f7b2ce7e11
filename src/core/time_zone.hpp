// A place's clock: an IANA zone ("Europe/Paris", summer time included, from the system's tz
// database through howard-hinnant date) or a fixed UTC offset (APIS's scenarios, the physics).
// offset_at() is cheap: the offset is kept for the period between two transitions, so a router
// asking every second looks the zone up twice a year. Not thread-safe (that cache); copy it.
//   auto paris = TimeZone::locate("Europe/Paris");   Duration d = paris->offset_at(t);  // 1 h or 2 h
#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "core/error.hpp"
#include "core/time.hpp"

namespace wattshare {

class TimeZone {
 public:
  TimeZone() = default;  // UTC
  [[nodiscard]] static TimeZone fixed(Duration utc_offset);
  // "Europe/Paris", "Asia/Tokyo", "UTC"; an error names the zone when the database lacks it.
  [[nodiscard]] static tl::expected<TimeZone, Error> locate(std::string_view name);

  [[nodiscard]] Duration offset_at(TimePoint t) const {
    if (zone_ == nullptr) return fixed_;
    if (t >= from_ && t < until_) return offset_;
    return look_up(t);
  }
  [[nodiscard]] TimePoint to_local(TimePoint t) const { return t + offset_at(t); }
  // The UTC instant of a local clock-face time (given as if it were UTC); in the hour a clock is
  // set back, the earlier one; in the hour it skips, as if the clock had not yet moved.
  [[nodiscard]] TimePoint from_local(TimePoint local) const;
  // "Europe/Paris", or "UTC+09:00" for a fixed offset.
  [[nodiscard]] std::string name() const;

 private:
  Duration look_up(TimePoint t) const;  // the zone's period around t, kept
  const void* zone_ = nullptr;  // a date::time_zone, kept out of this header
  Duration fixed_{};
  mutable TimePoint from_{TimePoint::max()}, until_{TimePoint::min()};
  mutable Duration offset_{};
};

}  // namespace wattshare
