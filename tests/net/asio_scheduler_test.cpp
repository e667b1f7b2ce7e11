// The real-time scheduler: accelerated virtual time on an io_context. These tests run real time
// for a few milliseconds at most, at high acceleration, and assert on virtual time only.
#include "net/asio_scheduler.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

namespace wattshare {
namespace {

TEST(AsioScheduler, RunsTimersInVirtualTimeAtTheAcceleration) {
  boost::asio::io_context io;
  const TimePoint start = from_civil(2020, 1, 1);
  AsioScheduler s{io, start, 100000.0};  // 100 virtual seconds per real millisecond
  std::vector<TimePoint> seen;
  TimerId id = s.every(seconds(60), [&] {
    seen.push_back(s.now());
    if (seen.size() == 5) {
      s.cancel(id);
      io.stop();
    }
  });
  io.run();
  ASSERT_EQ(seen.size(), 5u);
  for (std::size_t i = 0; i < seen.size(); ++i)
    EXPECT_GE(seen[i], start + seconds(60) * static_cast<int>(i + 1));
}

TEST(AsioScheduler, AccelerationChangesKeepTimeContinuous) {
  boost::asio::io_context io;
  AsioScheduler s{io, from_civil(2020, 1, 1), 10.0};
  const TimePoint before = s.now();
  ASSERT_TRUE(s.set_acceleration(1000.0).has_value());
  EXPECT_GE(s.now(), before);
  EXPECT_EQ(s.acceleration(), 1000.0);
  auto bad = s.set_acceleration(0);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kBadInput);
  EXPECT_EQ(s.acceleration(), 1000.0);
}

}  // namespace
}  // namespace wattshare
