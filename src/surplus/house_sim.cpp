#include "surplus/house_sim.hpp"

#include <algorithm>

#include "surplus/house_model.hpp"

namespace wattshare::surplus {

HouseSimResult simulate_house(const HouseSimSettings& s) {
  RouterSettings rs = s.router;
  HouseModel house{{.seed = s.seed, .pv_kwp = s.pv_kwp, .load_kwh = s.load_kwh, .ev_daily_kwh = s.ev_daily_kwh,
                    .ev_battery_kwh = s.ev_battery_kwh, .ev_w_per_a = rs.ev.volts * rs.ev.phases,
                    .heater_w = s.heater_w, .where = s.where, .battery_kwh = s.battery_kwh}};
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
  HousePowers last;  // the meter's last minute
  double ev_amps = 0, dimmer_pct = 0;
  for (std::int64_t k = 0; k < minutes_total; ++k) {
    const TimePoint t = s.start + minutes(k);
    const int minute_of_day = local_time(t, rs.zone.offset_at(t)).minute_of_day;
    // The router decides from the meter's last minute and what the loads drew then.
    Inputs in;
    in.time = t;
    in.grid_export_w = last.net_w;
    in.ev_connected = house.ev_connected(t);
    in.ev_actual_a = ev_amps;
    in.dimmer_power_w = dimmer_pct / 100.0 * s.heater_w;
    in.water_temperature_c = house.tank_c();
    if (const auto soc = house.battery_soc_pct()) {
      in.battery_w = last.battery_w;
      in.battery_soc_pct = soc;
    }
    const Outputs o = router.step(in);
    ++r.router_steps;
    ev_amps = in.ev_connected ? o.ev_amps : 0;
    dimmer_pct = o.dimmer_pct;
    // Night top-up from the grid when the car runs low (both methods alike).
    const bool night = minute_of_day >= 23 * 60 || minute_of_day < 7 * 60;
    if (in.ev_connected && night && house.ev_soc() < s.ev_topup_below) ev_amps = std::max(ev_amps, 16.0);
    last = house.advance(t, minutes(1), ev_amps, dimmer_pct, false);

    r.pv_wh += last.pv_w / 60;
    r.house_wh += last.house_w / 60;
    r.export_wh += std::max(last.net_w, 0.0) / 60;
    r.import_wh += std::max(-last.net_w, 0.0) / 60;
    r.ev_wh += last.ev_w / 60;
    r.heater_wh += last.heater_w / 60;
    r.battery_charge_wh += std::max(last.battery_w, 0.0) / 60;
    r.battery_discharge_wh += std::max(-last.battery_w, 0.0) / 60;
    const double solar_left = std::max(last.pv_w - last.house_w, 0.0);
    const double ev_solar = std::min(last.ev_w, solar_left);
    r.ev_solar_wh += ev_solar / 60;
    r.heater_solar_wh += std::min(last.heater_w, solar_left - ev_solar) / 60;
  }
  r.ev_unmet_wh = house.ev_unmet_wh();
  r.self_consumption = r.pv_wh > 0 ? (r.pv_wh - r.export_wh) / r.pv_wh : 0;
  r.ev_solar_share = r.ev_wh > 0 ? r.ev_solar_wh / r.ev_wh : 0;
  return r;
}

}  // namespace wattshare::surplus
