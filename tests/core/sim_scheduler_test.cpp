#include "core/sim_scheduler.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wattshare {
namespace {

const TimePoint kStart = from_civil(2020, 1, 1);

TEST(SimScheduler, RunsTimersInTimeOrderAndFifoAtEqualTimes) {
  SimScheduler s{kStart};
  std::vector<std::string> log;
  s.at(kStart + seconds(2), [&] { log.push_back("b@2"); });
  s.at(kStart + seconds(1), [&] { log.push_back("a@1"); });
  s.at(kStart + seconds(2), [&] { log.push_back("c@2"); });
  s.run_until(kStart + seconds(10));
  EXPECT_EQ(log, (std::vector<std::string>{"a@1", "b@2", "c@2"}));
  EXPECT_EQ(s.now(), kStart + seconds(10));
}

TEST(SimScheduler, TimeMovesOnlyWhenTold) {
  SimScheduler s{kStart};
  TimePoint seen{};
  s.after(minutes(5), [&] { seen = s.now(); });
  EXPECT_EQ(s.now(), kStart);
  s.run_for(minutes(4));
  EXPECT_EQ(seen, TimePoint{});
  s.run_for(minutes(1));
  EXPECT_EQ(seen, kStart + minutes(5));
}

TEST(SimScheduler, PeriodicTimerRunsEveryPeriodUntilCancelled) {
  SimScheduler s{kStart};
  int runs = 0;
  TimerId id = s.every(seconds(5), [&] { ++runs; });
  s.run_for(seconds(20));
  EXPECT_EQ(runs, 4);  // at 5, 10, 15, 20
  s.cancel(id);
  s.run_for(seconds(20));
  EXPECT_EQ(runs, 4);
}

TEST(SimScheduler, ATaskMayCancelItselfAndScheduleOthers) {
  SimScheduler s{kStart};
  int runs = 0, later = 0;
  TimerId id = kNoTimer;
  id = s.every(seconds(1), [&] {
    if (++runs == 3) {
      s.cancel(id);
      for (int i = 0; i < 100; ++i) s.after(seconds(1), [&] { ++later; });
    }
  });
  s.run_for(seconds(10));
  EXPECT_EQ(runs, 3);
  EXPECT_EQ(later, 100);
}

TEST(SimScheduler, CancellingAFinishedTimerDoesNotCancelItsSlotsNextOwner) {
  SimScheduler s{kStart};
  int a = 0, b = 0;
  TimerId first = s.after(seconds(1), [&] { ++a; });
  s.run_for(seconds(2));
  s.after(seconds(1), [&] { ++b; });  // reuses the slot
  s.cancel(first);
  s.run_for(seconds(2));
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, 1);
}

TEST(SimScheduler, PastDeadlinesRunAtNowNotBefore) {
  SimScheduler s{kStart + hours(1)};
  TimePoint seen{};
  s.at(kStart, [&] { seen = s.now(); });
  s.run_for(Duration::zero());
  EXPECT_EQ(seen, kStart + hours(1));
}

TEST(SimScheduler, RequestStopEndsRunEarly) {
  SimScheduler s{kStart};
  int runs = 0;
  s.every(seconds(1), [&] {
    if (++runs == 5) s.request_stop();
  });
  s.run_until(kStart + hours(1));
  EXPECT_EQ(runs, 5);
  EXPECT_EQ(s.now(), kStart + seconds(5));
}

}  // namespace
}  // namespace wattshare
