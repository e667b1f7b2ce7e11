// `wattshare sunspec read` and `wattshare sunspec-sim`: a SunSpec inverter and grid meter over
// Modbus TCP, read once; and a SolarEdge-like server backed by the PV and house-load models.
#include <chrono>
#include <cstdio>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/commands.hpp"
#include "app/modelled_site.hpp"
#include "app/shutdown.hpp"
#include "core/apis_time.hpp"
#include "core/json_file.hpp"
#include "devices/sunspec/sunspec_client.hpp"
#include "devices/sunspec/sunspec_server.hpp"
#include "physics/household_load.hpp"
#include "physics/solar.hpp"

namespace wattshare::app {
namespace {

Json optional_number(const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); }

}  // namespace

std::function<sunspec::SiteValues()> modelled_site(const ModelledSite& m, std::function<double()> extra_load_w) {
  const Location where{};
  const auto t0 = std::chrono::steady_clock::now();
  return [=, sun = SolarResource{where, WeatherParams{.seed = m.seed}}, pv = PvArray{.kwp = m.kwp},
          load = HouseholdLoad{LoadParams{.annual_kwh = m.load_kwh, .seed = m.seed}, where.utc_offset_h}] {
    const double real_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const std::int64_t minute = minute_index(m.first + from_seconds(real_s * m.acceleration));
    const double production = 0.97 * pv.power_w(sun.ghi_w_m2(minute), sun.ambient_c(minute));  // inverter efficiency
    return sunspec::SiteValues{production, production - load.power_w(minute) - extra_load_w(),
                               production > 1 ? std::uint16_t{4} : std::uint16_t{2}};
  };
}

int run_sunspec_read(const SunSpecReadOptions& o) {
  sunspec::SunSpecClient client{{.host = o.host, .port = o.port, .unit_id = o.unit_id,
                                 .timeout = std::chrono::milliseconds(o.timeout_ms), .invert_meter = o.invert,
                                 .meter = o.meter}};
  auto r = client.read();
  if (!r) {
    spdlog::error("{}", r.error().message);
    return 1;
  }
  Json models = Json::array();
  for (const auto& m : r->map.models) models.push_back(Json{{"id", m.id}, {"length", m.length}, {"address", m.address}});
  const Json out{{"inverter_power_w", optional_number(r->inverter_power_w)},
                 {"meter_power_w", optional_number(r->meter_power_w)},
                 {"house_power_w", optional_number(r->house_power_w)},
                 {"manufacturer", r->map.manufacturer},
                 {"model", r->map.model},
                 {"serial", r->map.serial},
                 {"base", r->map.base},
                 {"inverter_model", r->map.inverter_model ? Json(*r->map.inverter_model) : Json(nullptr)},
                 {"inverter_status", r->map.inverter_status ? Json(*r->map.inverter_status) : Json(nullptr)},
                 {"meters", r->map.meter_models},
                 {"meter_powers_w", [&] {
                    Json all = Json::array();
                    for (const auto& w : r->meter_powers_w) all.push_back(optional_number(w));
                    return all;
                  }()},
                 {"models", models}};
  if (o.json) {
    fmt::print("{}\n", dump_json(out));
  } else {
    fmt::print("{} {} ({}): inverter {} W, meter {} W (export +), house {} W\n", r->map.manufacturer, r->map.model,
               r->map.serial, dump_json(out["inverter_power_w"]), dump_json(out["meter_power_w"]),
               dump_json(out["house_power_w"]));
  }
  return 0;
}

int run_sunspec_sim(const SunSpecSimOptions& o) {
  auto start = parse_iso_date(o.start);
  if (!start) {
    spdlog::error("--start: {}", start.error().message);
    return 2;
  }
  const Location where{};
  // Community time runs from --start (local midnight + --hour) at --acceleration.
  const TimePoint first = *start + from_seconds((o.hour - where.utc_offset_h) * 3600.0);
  const auto site = modelled_site({.kwp = o.kwp, .load_kwh = o.load_kwh, .seed = o.seed, .first = first,
                                   .acceleration = o.acceleration},
                                  [] { return 0.0; });
  auto server = sunspec::SunSpecServer::listen(o.host, o.port, site);
  if (!server) {
    spdlog::error("{}", server.error().message);
    return 1;
  }
  fmt::print("wattshare sunspec-sim: SolarEdge SunSpec map (inverter 103, meter 203) on {}:{}, {} kWp, {} kWh/year, "
             "from {} at {}x\n", o.host, (*server)->port(), o.kwp, o.load_kwh,
             format_apis_time(first, from_seconds(where.utc_offset_h * 3600.0)), o.acceleration);
  std::fflush(stdout);
  (*server)->run(stop_flag_on_signals());
  return 0;
}

}  // namespace wattshare::app
