// A year (or N days) of one house minute by minute, to measure routing: PV and house load from
// the physics models, an EV (60 kWh) away on weekdays 07:30–18:00 using `ev_daily_kwh`, plugged in
// whenever home and not full, topped up from the grid at 16 A at night only below 40 %, and a 200 L water
// tank (usage at 07:00 and 20:00, standing losses, a 2 kW element whose grid thermostat keeps it
// above 45 °C). The router acts once a minute on what the meter measured the minute before.
// With `battery_kwh`, a home battery takes the export and covers the import first, as a StorEdge
// does; the router weighs it (BatterySettings). `seed_method` is the seed's TWCManager way: surplus = export + EV amps × 690, the EV only.
//   HouseSimResult r = simulate_house({.days = 365});
#pragma once

#include "physics/solar.hpp"
#include "surplus/router.hpp"

namespace wattshare::surplus {

struct HouseSimSettings {
  double days = 365;
  TimePoint start = from_civil(2021, 1, 1) - hours(9);  // local midnight in Okinawa
  // The router's schedules follow router.zone; the house's physics follow `where`.
  std::uint64_t seed = 1;
  double pv_kwp = 9;
  double load_kwh = 4500;
  double ev_daily_kwh = 8;
  double ev_battery_kwh = 60;
  double ev_topup_below = 0.4;  // of the car's battery, at night from the grid
  double heater_w = 2000;
  double battery_kwh = 0;  // a home battery in self-consumption mode (0: none), 5 kW each way
  Location where{};        // the sun's place and the load profile's standard time
  bool seed_method = false;
  RouterSettings router;  // its EV and dimmer settings are used unless seed_method
};

struct HouseSimResult {
  double pv_wh = 0, house_wh = 0, export_wh = 0, import_wh = 0;
  double ev_wh = 0, ev_solar_wh = 0, heater_wh = 0, heater_solar_wh = 0;
  double battery_charge_wh = 0, battery_discharge_wh = 0;  // the home battery's, at its terminals
  double self_consumption = 0, ev_solar_share = 0;
  double ev_unmet_wh = 0;  // trips the battery could not cover
  std::uint64_t router_steps = 0;
};

HouseSimResult simulate_house(const HouseSimSettings& s);

}  // namespace wattshare::surplus
