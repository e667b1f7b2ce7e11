// `wattshare surplus --simulate`: a simulated house routed minute by minute for N days, with the
// seed's method beside it for comparison.
#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/commands.hpp"
#include "core/apis_time.hpp"
#include "core/json_file.hpp"
#include "core/time_zone.hpp"
#include "surplus/surplus_config.hpp"
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

// The simulated house: the file's router settings, time zone and emulated house when given,
// then the command line's figures.
tl::expected<surplus::HouseSimSettings, Error> sim_settings(const SurplusOptions& o) {
  surplus::HouseSimSettings s;
  TimeZone zone = s.router.zone;
  if (o.config) {
    auto c = surplus::load_surplus_config(*o.config);
    if (!c) return tl::unexpected(c.error());
    if (c->site.kind != surplus::SiteConfig::Kind::kEmulated) {
      return tl::unexpected(Error::invalid_config(*o.config + ": --simulate needs an emulated site (site.type \"emulated\")"));
    }
    const auto& h = c->site.house;
    s.router = c->router;
    zone = c->router.zone;
    s.seed = h.seed;
    s.pv_kwp = h.pv_kwp;
    s.load_kwh = h.load_kwh;
    s.ev_daily_kwh = h.ev_daily_kwh;
    s.ev_battery_kwh = h.ev_battery_kwh;
    s.heater_w = h.heater_w;
    s.battery_kwh = h.battery_kwh;
    s.where = h.where;
  }
  s.days = o.days;
  s.pv_kwp = o.kwp.value_or(o.config ? s.pv_kwp : 9);
  s.ev_daily_kwh = o.ev_daily_kwh.value_or(o.config ? s.ev_daily_kwh : 8);
  s.battery_kwh = o.battery_kwh.value_or(s.battery_kwh);
  auto d = parse_iso_date(o.start.value_or("2021-01-01"));
  if (!d) return tl::unexpected(Error::invalid_config("--start: " + d.error().message));
  s.start = zone.from_local(*d);  // local midnight
  return s;
}

}  // namespace

int run_surplus(const SurplusOptions& o) {
  if (!o.simulate) return run_surplus_daemon(o);
  auto settings = sim_settings(o);
  if (!settings) {
    spdlog::error("{}", settings.error().message);
    return 2;
  }
  surplus::HouseSimSettings s = *settings;
  const auto t0 = std::chrono::steady_clock::now();
  const auto ours = surplus::simulate_house(s);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // The same year with a home battery when it has none (10 kWh), without when it has one.
  surplus::HouseSimSettings other = s;
  other.battery_kwh = s.battery_kwh > 0 ? 0 : 10;
  const auto compared = surplus::simulate_house(other);
  const auto& with = s.battery_kwh > 0 ? ours : compared;
  const auto& without = s.battery_kwh > 0 ? compared : ours;
  s.seed_method = true;
  const auto seed = surplus::simulate_house(s);
  Json out = result_json(ours);
  out["days"] = o.days;
  out["wall_s"] = wall;
  out["time_zone"] = s.router.zone.name();
  out["seed_method"] = result_json(seed);
  out["self_consumption_gain"] = ours.self_consumption - seed.self_consumption;
  out["home_battery"] = Json{{"battery_kwh", std::max(s.battery_kwh, other.battery_kwh)},
                             {"with", result_json(with)}, {"without", result_json(without)}};
  if (o.json) {
    fmt::print("{}\n", dump_json(out));
  } else {
    fmt::print("{} days, {:.0f} kWh PV: self-consumption {:.1f} % (seed's method {:.1f} %), EV solar share {:.1f} %, "
               "heater {:.0f} kWh ({:.0f} from PV), export {:.0f} kWh, import {:.0f} kWh, {:.2f} s\n",
               o.days, ours.pv_wh / 1000, 100 * ours.self_consumption, 100 * seed.self_consumption,
               100 * ours.ev_solar_share, ours.heater_wh / 1000, ours.heater_solar_wh / 1000, ours.export_wh / 1000,
               ours.import_wh / 1000, wall);
    fmt::print("self-consumption with a {:.0f} kWh home battery {:.1f} % (import {:.0f} kWh), without {:.1f} % (import {:.0f} kWh)\n",
               std::max(s.battery_kwh, other.battery_kwh), 100 * with.self_consumption, with.import_wh / 1000,
               100 * without.self_consumption, without.import_wh / 1000);
  }
  return 0;
}

}  // namespace wattshare::app
