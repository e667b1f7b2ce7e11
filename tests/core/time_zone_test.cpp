#include "core/time_zone.hpp"

#include <gtest/gtest.h>

namespace wattshare {
namespace {

// Europe/Paris from the system's tz database: CET (+1) in winter, CEST (+2) from the last Sunday
// of March 01:00 UTC to the last Sunday of October 01:00 UTC (EU summer-time directive 2000/84/EC).
TEST(TimeZone, ParisChangesItsOffsetAtTheEuropeanSummerTimeInstants) {
  auto paris = TimeZone::locate("Europe/Paris");
  ASSERT_TRUE(paris) << paris.error().message;
  const TimePoint spring = from_civil(2026, 3, 29) + hours(1), autumn = from_civil(2026, 10, 25) + hours(1);
  EXPECT_EQ(paris->offset_at(spring - milliseconds(1)), hours(1));
  EXPECT_EQ(paris->offset_at(spring), hours(2));
  EXPECT_EQ(paris->offset_at(autumn - milliseconds(1)), hours(2));
  EXPECT_EQ(paris->offset_at(autumn), hours(1));
  // Back in time again (the cache must not keep the later period).
  EXPECT_EQ(paris->offset_at(from_civil(2026, 1, 1)), hours(1));
  EXPECT_EQ(paris->name(), "Europe/Paris");
}

TEST(TimeZone, ALocalClockTimeMapsToOneInstantEvenAroundTheChanges) {
  auto paris = *TimeZone::locate("Europe/Paris");
  // 21:00 local on a summer day is 19:00 UTC; on a winter day 20:00 UTC.
  EXPECT_EQ(paris.from_local(from_civil(2026, 7, 1) + hours(21)), from_civil(2026, 7, 1) + hours(19));
  EXPECT_EQ(paris.from_local(from_civil(2026, 1, 1) + hours(21)), from_civil(2026, 1, 1) + hours(20));
  // 02:30 on 29 March does not exist (02:00 became 03:00): the offset before the gap, 01:30 UTC.
  EXPECT_EQ(paris.from_local(from_civil(2026, 3, 29) + minutes(150)), from_civil(2026, 3, 29) + minutes(90));
  // 02:30 on 25 October happens twice: the first, still in summer time, 00:30 UTC.
  EXPECT_EQ(paris.from_local(from_civil(2026, 10, 25) + minutes(150)), from_civil(2026, 10, 25) + minutes(30));
}

TEST(TimeZone, FixedOffsetsAndUnknownNames) {
  const TimeZone tokyo = TimeZone::fixed(hours(9));
  EXPECT_EQ(tokyo.offset_at(from_civil(2026, 7, 1)), hours(9));
  EXPECT_EQ(tokyo.name(), "UTC+09:00");
  EXPECT_EQ(TimeZone::fixed(-minutes(210)).name(), "UTC-03:30");
  auto bad = TimeZone::locate("Mars/Olympus");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message.rfind("unknown time zone \"Mars/Olympus\" (an IANA name such as \"Europe/Paris\")", 0), 0u);
}

}  // namespace
}  // namespace wattshare
