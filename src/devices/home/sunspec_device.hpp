// One SunSpec device (a SolarEdge inverter with its meter and battery) read once per cycle and
// shared by the house's meter and battery: SolarEdge serves one Modbus TCP client at a time, so
// they share one connection, and one walk of the map serves both.
#pragma once

#include <optional>

#include <tl/expected.hpp>

#include "core/time.hpp"
#include "devices/sunspec/sunspec_client.hpp"

namespace wattshare::home {

class SunSpecDevice {
 public:
  explicit SunSpecDevice(sunspec::SunSpecOptions o) : client_(std::move(o)) {}
  // The map as read at `now`: read again only for a later `now`.
  const tl::expected<sunspec::SiteReading, Error>& read(TimePoint now);
  [[nodiscard]] sunspec::SunSpecClient& client() { return client_; }

 private:
  sunspec::SunSpecClient client_;
  std::optional<TimePoint> read_at_;
  tl::expected<sunspec::SiteReading, Error> last_ = tl::unexpected(Error::not_available("not read yet"));
};

}  // namespace wattshare::home
