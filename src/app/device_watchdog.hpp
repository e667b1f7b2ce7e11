// The fail-safe at the device for emulated houses served over APIS's driver protocol
// (`wattshare emulator`, `demo --processes`): a converter whose node has sent no request for the
// bound falls to Waiting by itself (Community::set_host_watchdog), so a killed node cannot leave
// current flowing. The bound is community time: by default two grid-master main loops of the
// units' policy (Policy::device_watchdog). On an accelerated clock it is held to at least one
// second of real time, so that a node process the machine leaves unscheduled for a moment is
// not taken for a dead one.
//   DeviceWatchdog w{community, bound};  w.apply(scheduler.acceleration());
#pragma once

#include <algorithm>

#include <spdlog/spdlog.h>

#include "devices/emulated/community.hpp"

namespace wattshare::app {

class DeviceWatchdog {
 public:
  // The longest of the units' policies' bounds.
  static Duration default_bound(const CommunitySpec& spec) {
    Duration bound{0};
    for (const UnitSpec& u : spec.units) bound = std::max(bound, u.apis.policy.device_watchdog());
    return bound;
  }
  static constexpr double kRealFloorS = 1.0;

  DeviceWatchdog(Community& community, Duration bound) : community_(community), bound_(bound) {}

  // The bound in community time at this acceleration (0: off).
  [[nodiscard]] Duration effective(double acceleration) const {
    if (bound_ <= Duration::zero()) return Duration::zero();
    return std::max(bound_, from_seconds(kRealFloorS * acceleration));
  }
  void apply(double acceleration) {
    const Duration bound = effective(acceleration);
    community_.set_host_watchdog(bound, [this, bound](std::size_t unit) {
      spdlog::warn("{}: no request from its node for {:.1f} s: converter put to Waiting", community_.unit_id(unit),
                   to_seconds(bound));
    });
  }

 private:
  Community& community_;
  Duration bound_;
};

}  // namespace wattshare::app
