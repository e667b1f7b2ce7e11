// The charging sessions' file: sessions in, newest first out, costs kept, everything still there
// after a reopen; a file that cannot be opened names itself.
#include <gtest/gtest.h>

#include "store/charging_session_store.hpp"
#include "support/temp_dir.hpp"

namespace wattshare {
namespace {

const TimePoint kT0 = from_civil(2026, 6, 1) + hours(9);

TEST(ChargingSessionStore, KeepsSessionsNewestFirstAcrossAReopen) {
  test::TempDir dir;
  const std::string file = dir.path("sessions.sqlite");
  {
    auto store = ChargingSessionStore::open(file).value();
    ASSERT_TRUE(store->add({.start = kT0, .end = kT0 + hours(2), .energy_wh = 13800, .solar_wh = 10800, .cost = 1.764,
                            .currency = "EUR"}));
    ASSERT_TRUE(store->add({.start = kT0 + hours(24), .end = kT0 + hours(25), .energy_wh = 2300.5, .solar_wh = 0}));
  }
  auto store = ChargingSessionStore::open(file).value();
  const auto all = store->latest(10).value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].start, kT0 + hours(24));
  EXPECT_EQ(all[0].energy_wh, 2300.5);
  EXPECT_FALSE(all[0].cost);
  EXPECT_EQ(all[1].end, kT0 + hours(2));
  EXPECT_EQ(all[1].solar_wh, 10800);
  EXPECT_EQ(all[1].cost, 1.764);
  EXPECT_EQ(all[1].currency, "EUR");
  EXPECT_EQ(store->latest(1).value().size(), 1u);
}

TEST(ChargingSessionStore, AFileThatCannotBeOpenedNamesItself) {
  auto bad = ChargingSessionStore::open("/nonexistent-dir/sessions.sqlite");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message.rfind("charging sessions /nonexistent-dir/sessions.sqlite: ", 0), 0u) << bad.error().message;
}

}  // namespace
}  // namespace wattshare
