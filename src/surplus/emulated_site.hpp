// A whole house emulated for the surplus daemon: the `HouseModel` (PV, load, EV, tank, relay load)
// on a clock that runs `acceleration` times the wall clock from a chosen start. The charger
// follows a new current one cycle later, as a car does after its ramp; the dimmer's power is what
// its output (phase angle with a 10 µs timer, or burst fire) really delivers.
//   EmulatedSite site{config.site, config.dimmer, wall_clock};
#pragma once

#include <functional>

#include "surplus/dimmer_output.hpp"
#include "surplus/house_model.hpp"
#include "surplus/site.hpp"
#include "surplus/surplus_config.hpp"

namespace wattshare::surplus {

class EmulatedSite final : public Site {
 public:
  // `wall` gives the real time; the house time starts at `site.start` (or the wall time).
  EmulatedSite(const SiteConfig& site, const DimmerDeviceConfig& dimmer, std::function<TimePoint()> wall);

  TimePoint now() override;
  std::string kind() const override { return "emulated"; }
  SiteReading read(TimePoint now) override;
  void apply(TimePoint now, const Outputs& out) override;

  [[nodiscard]] const HouseModel& house() const { return house_; }

 private:
  SiteConfig s_;
  DimmerDeviceConfig dimmer_;
  std::function<TimePoint()> wall_;
  TimePoint wall_start_, house_start_;
  HouseModel house_;
  HousePowers last_;
  std::optional<TimePoint> last_apply_;  // the last read: the loads have run up to it
  double ev_amps_ = 0, dimmer_pct_ = 0;
  bool relay_on_ = false;
  BurstFire burst_;
};

}  // namespace wattshare::surplus
