// Physics costs: one bus solve, one house-minute, a simulated day of the OIST community.
#include <benchmark/benchmark.h>

#include "config/community.hpp"
#include "devices/emulated/community.hpp"
#include "physics/dc_bus.hpp"

namespace wattshare {
namespace {

// A linear feeder of N nodes: one voltage reference, the rest alternately charging and
// discharging (the worst case for the active-set walk: every port changes segment).
void BM_DcBusSolve(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  std::vector<BusNode> nodes{{-1, 0, 0}};
  for (int i = 0; i < n; ++i) nodes.push_back({i, 0.1, 1e-6});
  DcBus bus{nodes};
  bus.set_port(1, PortModel{true, 350, 0.05, -100, 100});
  for (int i = 2; i <= n; ++i)
    bus.set_port(static_cast<std::size_t>(i), i % 2 ? PortModel{true, 300, 0.05, -0.5, 0}
                                                    : PortModel{true, 380, 0.05, 0, 0.4});
  int solves = 0;
  for (auto _ : state) {
    // Alternate the reference voltage so every iteration starts away from the solution.
    bus.set_port(1, PortModel{true, solves % 2 ? 350.0 : 345.0, 0.05, -100, 100});
    solves += bus.solve();
  }
  state.counters["linear_solves_per_call"] =
      benchmark::Counter(solves, benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_DcBusSolve)->Arg(19)->Arg(200)->Arg(1000);

void BM_Oist19Day(benchmark::State& state) {
  auto spec = load_community(std::string(WATTSHARE_SOURCE_DIR) + "/examples/oist-19");
  if (!spec) {
    state.SkipWithError(spec.error().message.c_str());
    return;
  }
  Community c{*spec};
  TimePoint t = spec->start;
  for (auto _ : state) {
    t += hours(24);
    c.advance_to(t);
  }
  state.SetItemsProcessed(state.iterations() * 19 * 1440);  // house-minutes
}
BENCHMARK(BM_Oist19Day)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace wattshare
