// The physical house behind the router, for the simulated year and the emulated site of the
// daemon: PV and house load from the physics models, an EV (60 kWh) away on weekdays 07:30–18:00
// using `ev_daily_kwh` per workday, a 200 L water tank (usage at 07:00 and 20:00, standing losses,
// a heater element whose own thermostat keeps it above 45 °C, the dimmer driving the same element)
// an optional resistive load on a relay, and an optional home battery that, as a StorEdge or any
// AC-coupled battery in self-consumption mode, charges from the export and discharges to cover the
// import, within its power and its state of charge. The meter sees the house after the battery.
// The caller commands the loads and advances time.
//   HouseModel house{{.pv_kwp = 9}};  bool home = house.ev_connected(t);
//   HousePowers p = house.advance(t, minutes(1), ev_amps, dimmer_pct, relay_on);
#pragma once

#include <cstdint>
#include <optional>

#include "core/time.hpp"
#include "physics/household_load.hpp"
#include "physics/solar.hpp"

namespace wattshare::surplus {

struct HouseModelSettings {
  std::uint64_t seed = 1;
  double pv_kwp = 9;
  double load_kwh = 4500;
  double ev_daily_kwh = 8;
  double ev_battery_kwh = 60;
  double ev_w_per_a = 690;  // 230 V × 3 phases
  double heater_w = 2000;
  double relay_load_w = 0;
  Location where{};  // the sun's and the load profile's place and standard time
  double battery_kwh = 0;     // 0: no home battery
  double battery_w = 5000;    // its charge and discharge limit
  double battery_efficiency = 0.95;  // each way
};

// Mean powers over the step just run; net is export positive (what a SolarEdge meter reports).
struct HousePowers {
  double pv_w = 0, house_w = 0, ev_w = 0, heater_w = 0, relay_w = 0, net_w = 0;
  double battery_w = 0;  // > 0 charging, at its terminals
};

class HouseModel {
 public:
  explicit HouseModel(const HouseModelSettings& s);

  // The car is home and not full. When it has just left, the day's trip is taken from it.
  bool ev_connected(TimePoint t);
  HousePowers advance(TimePoint t, Duration dt, double ev_amps, double dimmer_pct, bool relay_on);

  [[nodiscard]] double tank_c() const { return tank_c_; }
  [[nodiscard]] double ev_soc() const { return ev_soc_wh_ / ev_capacity_wh_; }
  [[nodiscard]] double ev_unmet_wh() const { return ev_unmet_wh_; }
  [[nodiscard]] std::optional<double> battery_soc_pct() const;  // nullopt: no home battery
  [[nodiscard]] const HouseModelSettings& settings() const { return s_; }
  [[nodiscard]] Duration utc_offset() const { return utc_offset_; }

 private:
  HouseModelSettings s_;
  Location where_{};
  SolarResource sun_;
  PvArray pv_;
  HouseholdLoad load_;
  Duration utc_offset_;
  double ev_capacity_wh_;
  double tank_c_ = 55, ev_soc_wh_;
  double ev_unmet_wh_ = 0;
  double battery_wh_ = 0;
  bool thermostat_ = false;
  std::optional<bool> away_;
};

}  // namespace wattshare::surplus
