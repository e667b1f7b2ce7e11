// Charging sessions as evcc keeps them: energy, solar share, cost with a tariff; issue 20 item 7.
#include "surplus/charging_sessions.hpp"

#include <gtest/gtest.h>

namespace wattshare::surplus {
namespace {

const TimePoint kArrival = from_civil(2026, 6, 1) + hours(9);  // 11:00 in Paris (CEST)

TEST(ChargingSessions, EnergySolarShareAndCostOfOneSession) {
  SessionTracker t{Tariff{.grid_per_kwh = 0.30, .feed_in_per_kwh = 0.08, .currency = "EUR"}};
  EXPECT_FALSE(t.step(kArrival - minutes(1), false, 0, 500));
  EXPECT_FALSE(t.step(kArrival, true, 6900, 2000));  // arrives, 10 A on 3 phases, 2 kW still exported
  EXPECT_TRUE(t.current());
  EXPECT_FALSE(t.step(kArrival + hours(1), true, 6900, -3000));  // a cloud: 3 kW imported
  EXPECT_FALSE(t.step(kArrival + minutes(90), true, 6900, std::nullopt));  // a missed reading: the last counts
  const auto done = t.step(kArrival + minutes(120), false, 0, 7000);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->start, kArrival);
  EXPECT_EQ(done->end, kArrival + minutes(120));
  // An hour all solar, then an hour with 3 of its 6.9 kW from the grid.
  EXPECT_NEAR(done->energy_wh, 13800, 1e-6);
  EXPECT_NEAR(done->solar_wh, 6900 + 3900, 1e-6);
  EXPECT_NEAR(done->solar_share(), 10800.0 / 13800, 1e-9);
  EXPECT_NEAR(*done->cost, 3.0 * 0.30 + 10.8 * 0.08, 1e-9);
  EXPECT_EQ(done->currency, "EUR");
  EXPECT_FALSE(t.current());
  // Without a tariff, no cost; a session running at exit ends with what it has.
  SessionTracker free;
  (void)free.step(kArrival, true, 2300, 0);
  (void)free.step(kArrival + minutes(30), true, 2300, 0);
  const auto cut = free.end(kArrival + minutes(30));
  ASSERT_TRUE(cut);
  EXPECT_NEAR(cut->energy_wh, 1150, 1e-6);
  EXPECT_FALSE(cut->cost);
}

TEST(ChargingSessions, JsonAndCsvInLocalTime) {
  const ChargingSession s{.start = kArrival, .end = kArrival + minutes(95), .energy_wh = 8000.04, .solar_wh = 6000,
                          .cost = 0.98, .currency = "EUR"};
  const TimeZone paris = *TimeZone::locate("Europe/Paris");
  const Json j = session_json(s, paris);
  EXPECT_EQ(j["start"], "2026/06/01-11:00:00");
  EXPECT_EQ(j["end"], "2026/06/01-12:35:00");
  EXPECT_EQ(j["duration_s"], 5700);
  EXPECT_EQ(j["solar_share"], 0.75);
  EXPECT_EQ(j["cost"], 0.98);
  EXPECT_EQ(sessions_csv({s, ChargingSession{.start = kArrival, .end = kArrival}}, paris),
            "start,end,duration_s,energy_wh,solar_wh,solar_share,cost,currency\n"
            "2026/06/01-11:00:00,2026/06/01-12:35:00,5700,8000.0,6000.0,0.750,0.98,EUR\n"
            "2026/06/01-11:00:00,2026/06/01-11:00:00,0,0.0,0.0,0.000,,\n");
}

}  // namespace
}  // namespace wattshare::surplus
