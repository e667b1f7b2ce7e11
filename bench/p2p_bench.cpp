// Converter-level costs: one control tick of both controllers with the frame between them, one
// plant tick (200 RK4 steps), 3 s of the closed-loop pair. The ngspice comparison runs in
// scripts/run-bench (`wattshare p2p --spice` writes the netlist of the same run).
#include <benchmark/benchmark.h>

#include <cmath>

#include "p2p/frame.hpp"
#include "p2p/inverter.hpp"
#include "p2p/pair_simulation.hpp"
#include "p2p/rectifier.hpp"

namespace wattshare {
namespace {

// Inverter tick (sine, frame encode), frame decode at the rectifier, rectifier tick (PI, PR,
// feed-forward, trips) — what the two MCUs do every 100 µs, here on one core.
void BM_P2pControlTick(benchmark::State& state) {
  p2p::Inverter inverter({});
  auto rectifier = *p2p::Rectifier::make({});
  inverter.start();
  double t = 0;
  for (auto _ : state) {
    const double v = 15 * std::sin(t), i = -2.5 * std::sin(t);
    const p2p::InverterOutput a = inverter.tick(-i);
    rectifier.receive(*a.frame);
    const p2p::RectifierOutput b = rectifier.tick({v, i, 46.7});
    benchmark::DoNotOptimize(b.duty);
    t += 0.0314159;
  }
}
BENCHMARK(BM_P2pControlTick);

void BM_AcLinkPlantTick(benchmark::State& state) {
  physics::AcLink link({});
  int k = 0;
  for (auto _ : state) {
    const double d = 0.5 + 0.15 * std::sin(0.0314159 * k++);
    for (int j = 0; j < 200; ++j) link.step(0.5e-6, {d, true}, {0.5, true});
    benchmark::DoNotOptimize(link.state().v_d);
  }
}
BENCHMARK(BM_AcLinkPlantTick);

// 3 s of simulated time at 0.5 µs steps, closed loop (goal ≤ 1 s).
void BM_P2pPair3s(benchmark::State& state) {
  for (auto _ : state) {
    auto sim = p2p::PairSimulation::make({});
    sim->run();
    benchmark::DoNotOptimize(sim->plant().state().vh_b);
  }
}
BENCHMARK(BM_P2pPair3s)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace wattshare
