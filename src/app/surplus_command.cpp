// `wattshare surplus --simulate`: a simulated house routed minute by minute for N days, with the
// seed's method beside it for comparison.
#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/commands.hpp"
#include "core/apis_time.hpp"
#include "core/json_file.hpp"
#include "surplus/house_sim.hpp"

namespace wattshare::app {
namespace {

Json result_json(const surplus::HouseSimResult& r) {
  return Json{{"self_consumption", r.self_consumption}, {"ev_solar_share", r.ev_solar_share},
              {"export_wh", r.export_wh},             {"import_wh", r.import_wh},
              {"heater_wh", r.heater_wh},             {"heater_solar_wh", r.heater_solar_wh},
              {"ev_wh", r.ev_wh},                     {"ev_solar_wh", r.ev_solar_wh},
              {"ev_unmet_wh", r.ev_unmet_wh},         {"pv_wh", r.pv_wh},
              {"house_wh", r.house_wh},               {"router_steps", r.router_steps}};
}

}  // namespace

int run_surplus(const SurplusOptions& o) {
  if (!o.simulate) return run_surplus_daemon(o);
  surplus::HouseSimSettings s;
  s.days = o.days;
  s.pv_kwp = o.kwp;
  s.ev_daily_kwh = o.ev_daily_kwh;
  if (o.start) {
    auto d = parse_iso_date(*o.start);
    if (!d) {
      spdlog::error("--start: {}", d.error().message);
      return 2;
    }
    s.start = *d - hours(9);
  }
  const auto t0 = std::chrono::steady_clock::now();
  const auto ours = surplus::simulate_house(s);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  s.seed_method = true;
  const auto seed = surplus::simulate_house(s);
  Json out = result_json(ours);
  out["days"] = o.days;
  out["wall_s"] = wall;
  out["seed_method"] = result_json(seed);
  out["self_consumption_gain"] = ours.self_consumption - seed.self_consumption;
  if (o.json) {
    fmt::print("{}\n", dump_json(out));
  } else {
    fmt::print("{} days, {:.0f} kWh PV: self-consumption {:.1f} % (seed's method {:.1f} %), EV solar share {:.1f} %, "
               "heater {:.0f} kWh ({:.0f} from PV), export {:.0f} kWh, import {:.0f} kWh, {:.2f} s\n",
               o.days, ours.pv_wh / 1000, 100 * ours.self_consumption, 100 * seed.self_consumption,
               100 * ours.ev_solar_share, ours.heater_wh / 1000, ours.heater_solar_wh / 1000, ours.export_wh / 1000,
               ours.import_wh / 1000, wall);
  }
  return 0;
}

}  // namespace wattshare::app
