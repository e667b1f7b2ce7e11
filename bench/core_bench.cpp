// Costs of the clock and the formats on the hot path.
#include <benchmark/benchmark.h>

#include "core/apis_time.hpp"
#include "core/sim_scheduler.hpp"

namespace wattshare {
namespace {

// 1,000 periodic timers (one per unit) firing: cost per timer event.
void BM_SimSchedulerPeriodicEvents(benchmark::State& state) {
  SimScheduler s{from_civil(2020, 1, 1)};
  std::uint64_t fired = 0;
  for (int i = 0; i < state.range(0); ++i)
    s.every(seconds(5), [&fired] { ++fired; }, s.now() + milliseconds(i));
  for (auto _ : state) s.run_for(seconds(5));
  state.SetItemsProcessed(static_cast<std::int64_t>(fired));
}
BENCHMARK(BM_SimSchedulerPeriodicEvents)->Arg(1000);

void BM_FormatApisTime(benchmark::State& state) {
  TimePoint t = from_civil(2020, 1, 1);
  char buf[20];
  for (auto _ : state) {
    t += seconds(5);
    benchmark::DoNotOptimize(format_apis_time_to(buf, t, hours(9)));
  }
}
BENCHMARK(BM_FormatApisTime);

}  // namespace
}  // namespace wattshare
