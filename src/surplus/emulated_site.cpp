#include "surplus/emulated_site.hpp"

#include <algorithm>
#include <cmath>

namespace wattshare::surplus {

EmulatedSite::EmulatedSite(const SiteConfig& site, const DimmerDeviceConfig& dimmer, std::function<TimePoint()> wall)
    : s_(site),
      dimmer_(dimmer),
      wall_(std::move(wall)),
      wall_start_(wall_()),
      house_start_(site.start.value_or(wall_start_)),
      house_(site.house) {}

TimePoint EmulatedSite::now() {
  return house_start_ + from_seconds(to_seconds(wall_() - wall_start_) * s_.acceleration);
}

SiteReading EmulatedSite::read(TimePoint now) {
  // The loads ran on the last commands since the last cycle: that is what the meter saw.
  if (last_apply_ && now > *last_apply_) {
    last_ = house_.advance(*last_apply_, now - *last_apply_, ev_amps_, dimmer_pct_, relay_on_);
  }
  last_apply_ = now;
  SiteReading r;
  r.grid_export_w = last_.net_w;
  r.inverter_power_w = last_.pv_w;
  r.ev_connected = house_.ev_connected(now);
  r.ev_actual_a = r.ev_connected && house_.settings().ev_w_per_a > 0 ? last_.ev_w / house_.settings().ev_w_per_a : 0;
  r.ev_phases = s_.car_phases;  // a charger with per-phase meters says which phases the car uses
  r.dimmer_power_w = last_.heater_w;
  r.water_temperature_c = house_.tank_c();
  r.relay_on = relay_on_;
  r.pv_w = last_.pv_w;
  r.house_w = last_.house_w;
  r.ev_soc = house_.ev_soc();
  if (const auto soc = house_.battery_soc_pct()) {
    r.battery_w = last_.battery_w;
    r.battery_soc_pct = soc;
  }
  return r;
}

void EmulatedSite::apply(TimePoint, const Outputs& out) {
  ev_amps_ = out.ev_amps;  // the car follows at the next cycle, as after its ramp
  relay_on_ = out.relay_on;
  if (dimmer_.output == DimmerOutput::kPhaseAngle) {
    dimmer_pct_ = 100 * phase_angle_firing(out.dimmer_pct, dimmer_.mains_hz).power_share;
  } else {
    // Whole cycles over the wall-clock second the command holds.
    const int cycles = static_cast<int>(dimmer_.mains_hz);
    int on = 0;
    for (int i = 0; i < cycles; ++i) on += burst_.next_cycle(out.dimmer_pct);
    dimmer_pct_ = 100.0 * on / cycles;
  }
}

}  // namespace wattshare::surplus
