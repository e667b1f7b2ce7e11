#include "surplus/house_sim.hpp"

#include <algorithm>

#include "physics/household_load.hpp"
#include "physics/solar.hpp"

namespace wattshare::surplus {
namespace {

constexpr double kTankWhPerK = 200 * 1.163;  // 200 L of water
constexpr double kColdWaterC = 15, kRoomC = 20;
constexpr double kLossWPerK = 1.3;           // ≈ 52 W at 60 °C
constexpr double kThermostatOnC = 45, kThermostatOffC = 50;

}  // namespace

HouseSimResult simulate_house(const HouseSimSettings& s) {
  const Location where{};
  const SolarResource sun{where, WeatherParams{.seed = s.seed}};
  const PvArray pv{.kwp = s.pv_kwp};
  const HouseholdLoad load{LoadParams{.annual_kwh = s.load_kwh, .seed = s.seed}, where.utc_offset_h};
  RouterSettings rs = s.router;
  rs.utc_offset = from_seconds(where.utc_offset_h * 3600);
  if (s.seed_method) {
    rs.reserve_w = 0;
    rs.dimmer.rated_w = 0;
    rs.relay.rated_w = 0;
    rs.ev.mode = Mode::kEco;
  } else if (rs.dimmer.rated_w <= 0) {
    rs.dimmer.rated_w = s.heater_w;
  }
  Router router{rs};
  HouseSimResult r;
  const auto minutes_total = static_cast<std::int64_t>(s.days * 1440);
  const double ev_capacity_wh = s.ev_battery_kwh * 1000;
  double tank_c = 55, ev_soc_wh = 0.5 * ev_capacity_wh;
  double ev_amps = 0, dimmer_pct = 0;
  bool thermostat = false;
  double net_w = 0;  // the meter's last minute, export positive
  const double ev_w_per_a = rs.ev.volts * rs.ev.phases;
  for (std::int64_t k = 0; k < minutes_total; ++k) {
    const TimePoint t = s.start + minutes(k);
    const std::int64_t m = minute_index(t);
    const auto [minute_of_day, weekday] = local_time(t, rs.utc_offset);
    const bool workday = weekday < 5;
    const bool away = workday && minute_of_day >= 7 * 60 + 30 && minute_of_day < 18 * 60;
    if (workday && minute_of_day == 7 * 60 + 30) {  // today's trips
      const double trip_wh = s.ev_daily_kwh * 1000;
      r.ev_unmet_wh += std::max(trip_wh - ev_soc_wh, 0.0);
      ev_soc_wh = std::max(ev_soc_wh - trip_wh, 0.0);
    }
    // The router decides from the meter's last minute and what the loads drew then.
    Inputs in;
    in.time = t;
    in.grid_export_w = net_w;
    in.ev_connected = !away && ev_soc_wh < ev_capacity_wh;
    in.ev_actual_a = ev_amps;
    in.dimmer_power_w = dimmer_pct / 100.0 * s.heater_w;
    in.water_temperature_c = tank_c;
    const Outputs o = router.step(in);
    ++r.router_steps;
    ev_amps = in.ev_connected ? o.ev_amps : 0;
    dimmer_pct = o.dimmer_pct;
    // Night top-up from the grid when the car runs low (both methods alike).
    const bool night = minute_of_day >= 23 * 60 || minute_of_day < 7 * 60;
    if (in.ev_connected && night && ev_soc_wh < s.ev_topup_below * ev_capacity_wh) ev_amps = std::max(ev_amps, 16.0);
    const double ev_w = std::min(ev_amps * ev_w_per_a, (ev_capacity_wh - ev_soc_wh) * 60);
    ev_soc_wh += ev_w / 60;
    if (tank_c < kThermostatOnC) thermostat = true;
    if (tank_c >= kThermostatOffC) thermostat = false;
    const double heater_w = thermostat ? s.heater_w : dimmer_pct / 100.0 * s.heater_w;

    const double pv_w = pv.power_w(sun.ghi_w_m2(m), sun.ambient_c(m));
    const double house_w = load.power_w(m);
    net_w = pv_w - house_w - ev_w - heater_w;
    r.pv_wh += pv_w / 60;
    r.house_wh += house_w / 60;
    r.export_wh += std::max(net_w, 0.0) / 60;
    r.import_wh += std::max(-net_w, 0.0) / 60;
    r.ev_wh += ev_w / 60;
    r.heater_wh += heater_w / 60;
    const double solar_left = std::max(pv_w - house_w, 0.0);
    const double ev_solar = std::min(ev_w, solar_left);
    r.ev_solar_wh += ev_solar / 60;
    r.heater_solar_wh += std::min(heater_w, solar_left - ev_solar) / 60;

    // The tank: heating, hot water drawn at 07:00 and 20:00 (1.5 kWh each over 30 min), losses.
    const bool drawing = (minute_of_day >= 7 * 60 && minute_of_day < 7 * 60 + 30) ||
                         (minute_of_day >= 20 * 60 && minute_of_day < 20 * 60 + 30);
    const double usage_w = drawing && tank_c > kColdWaterC ? 3000.0 : 0.0;
    tank_c += (heater_w - usage_w - kLossWPerK * (tank_c - kRoomC)) / 60 / kTankWhPerK;
  }
  r.self_consumption = r.pv_wh > 0 ? (r.pv_wh - r.export_wh) / r.pv_wh : 0;
  r.ev_solar_share = r.ev_wh > 0 ? r.ev_solar_wh / r.ev_wh : 0;
  return r;
}

}  // namespace wattshare::surplus
