// One PV-surplus router cycle (target ≤ 10 µs of CPU) and a simulated year of one house
// (target ≤ 5 s wall; `wattshare surplus --simulate --json` reports it too); a whole daemon cycle
// on the emulated house (read, route, command) and its status JSON, what the daemon adds per cycle.
#include <benchmark/benchmark.h>

#include "core/json_file.hpp"
#include "surplus/emulated_site.hpp"
#include "surplus/house_sim.hpp"
#include "surplus/mqtt_messages.hpp"
#include "surplus/surplus_controller.hpp"

namespace wattshare::surplus {
namespace {

// state.range(0) = 1: an IANA zone (Europe/Paris, summer time) and a home battery in the inputs.
void BM_RouterCycle(benchmark::State& state) {
  RouterSettings s;
  s.dimmer.rated_w = 2000;
  s.relay.rated_w = 1000;
  Inputs in;
  if (state.range(0) == 1) {
    s.zone = *TimeZone::locate("Europe/Paris");
    in.battery_w = 1500;
    in.battery_soc_pct = 60;
  }
  Router router{s};
  in.ev_connected = true;
  in.water_temperature_c = 50;
  TimePoint t = from_civil(2021, 6, 1);
  double export_w = 3000;
  for (auto _ : state) {
    in.time = t;
    in.grid_export_w = export_w;
    const Outputs o = router.step(in);
    benchmark::DoNotOptimize(o);
    in.ev_actual_a = o.ev_amps;
    t += seconds(10);
    export_w = export_w > 9000 ? 1000 : export_w + 137;  // a surplus that keeps moving
  }
}
BENCHMARK(BM_RouterCycle)->Arg(0)->Arg(1);

void BM_DaemonCycle(benchmark::State& state) {
  auto cfg = parse_surplus_config(Json::object(), "defaults").value();
  cfg.mqtt.prefix = "wattshare/house";
  cfg.mqtt.domoticz_idx["surplus_w"] = 1;
  cfg.site.start = from_civil(2021, 5, 22) + hours(3);
  TimePoint wall = from_civil(2030, 1, 1);
  SurplusController c{cfg, std::make_unique<EmulatedSite>(cfg.site, cfg.dimmer, [&] { return wall; })};
  for (auto _ : state) {
    wall += seconds(1);
    benchmark::DoNotOptimize(c.cycle());
    const Json status = c.status();
    benchmark::DoNotOptimize(dump_json(status));
    benchmark::DoNotOptimize(state_messages(cfg.mqtt, status));
  }
}
BENCHMARK(BM_DaemonCycle);

void BM_HouseYear(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(simulate_house({}));
}
BENCHMARK(BM_HouseYear)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace wattshare::surplus
