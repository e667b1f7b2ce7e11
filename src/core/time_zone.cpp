#include "core/time_zone.hpp"

#include <date/tz.h>
#include <fmt/format.h>

namespace wattshare {
namespace {
const date::time_zone* zone_of(const void* z) { return static_cast<const date::time_zone*>(z); }
}  // namespace

TimeZone TimeZone::fixed(Duration utc_offset) {
  TimeZone z;
  z.fixed_ = utc_offset;
  return z;
}

tl::expected<TimeZone, Error> TimeZone::locate(std::string_view name) {
  try {
    TimeZone z;
    z.zone_ = date::locate_zone(name);
    return z;
  } catch (const std::exception& e) {
    return tl::unexpected(Error::invalid_config(fmt::format("unknown time zone \"{}\" (an IANA name such as \"Europe/Paris\"): {}", name,
                                                                  e.what())));
  }
}

Duration TimeZone::look_up(TimePoint t) const {
  const date::sys_info info = zone_of(zone_)->get_info(t);
  from_ = TimePoint{std::chrono::duration_cast<Duration>(info.begin.time_since_epoch())};
  until_ = info.end >= date::sys_seconds::max() ? TimePoint::max()
                                                : TimePoint{std::chrono::duration_cast<Duration>(info.end.time_since_epoch())};
  offset_ = std::chrono::duration_cast<Duration>(info.offset);
  return offset_;
}

TimePoint TimeZone::from_local(TimePoint local) const {
  if (zone_ == nullptr) return local - fixed_;
  const auto lt = date::local_time<Duration>{local.time_since_epoch()};
  const date::local_info info = zone_of(zone_)->get_info(date::floor<std::chrono::seconds>(lt));
  // Unique, or the first of two (set back); in a gap, the offset before it.
  return local - std::chrono::duration_cast<Duration>(info.first.offset);
}

std::string TimeZone::name() const {
  if (zone_ != nullptr) return std::string(zone_of(zone_)->name());
  const auto m = std::chrono::duration_cast<std::chrono::minutes>(fixed_).count();
  return fmt::format("UTC{}{:02}:{:02}", m < 0 ? '-' : '+', std::abs(m) / 60, std::abs(m) % 60);
}

}  // namespace wattshare
