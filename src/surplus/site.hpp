// What the surplus controller drives: a house's grid meter and its flexible loads, emulated
// (`EmulatedSite`) or real (the daemon's devices: app/surplus_device_site). A site keeps its own clock:
// an emulated house may run faster than the wall clock, and the router's delays follow it.
#pragma once

#include <optional>
#include <string>

#include "core/time.hpp"
#include "surplus/router.hpp"

namespace wattshare::surplus {

struct SiteReading {
  std::optional<double> grid_export_w;  // nullopt: the meter could not be read
  std::string meter_error;              // why, when it could not
  bool meter_unchanged = false;         // no new reading since the last cycle (not a failure)
  std::optional<double> inverter_power_w;
  bool ev_connected = false;
  bool ev_probe = false;  // no car known, a charger may have one (Inputs::ev_probe)
  double ev_actual_a = 0;
  double dimmer_power_w = 0;   // counted only when measured or acknowledged
  std::string dimmer_error;    // why the dimmer did not take its command
  std::optional<double> water_temperature_c;
  bool relay_on = false;      // as acknowledged by a real relay
  std::string relay_error;   // why the relay did not take its command
  std::optional<double> battery_w, battery_soc_pct;  // the home battery's, > 0 charging
  std::string battery_error;
  std::optional<int> ev_phases;  // from the charger's per-phase currents, where it reports them
  // Emulated sites also tell what a real meter cannot.
  std::optional<double> pv_w, house_w, ev_soc;
};

class Site {
 public:
  virtual ~Site() = default;
  [[nodiscard]] virtual TimePoint now() = 0;
  [[nodiscard]] virtual std::string kind() const = 0;
  virtual SiteReading read(TimePoint now) = 0;
  virtual void apply(TimePoint now, const Outputs& out) = 0;
};

}  // namespace wattshare::surplus
