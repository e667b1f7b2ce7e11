// The history store: rows in, series out (thinned), deals paged newest first, CSV, and a file
// that keeps everything across a reopen.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "store/history_store.hpp"
#include "support/temp_dir.hpp"

namespace wattshare {
namespace {

const TimePoint kT0 = from_civil(2021, 6, 1);

UnitSample sample(const std::string& id, int minute, double rsoc) {
  UnitSample s;
  s.unit_id = id;
  s.time = kT0 + minutes(minute);
  s.rsoc_pct = rsoc;
  s.vg_v = 350;
  s.ig_a = -1.5;
  s.wb_w = -540.25;
  s.mode = "0x0002";
  return s;
}

TEST(HistoryStore, KeepsSeriesPerUnitAndThinsThem) {
  auto store = HistoryStore::open(":memory:").value();
  for (int m = 0; m < 100; ++m) {
    TotalsSample t{kT0 + minutes(m), 0.5, 10.0 * m, 0, 0, 0, 0, 350, 1};
    ASSERT_TRUE(store->add({sample("E001", m, 50 + 0.1 * m), sample("E002", m, 60)}, t));
  }
  const auto all = store->series("E001", kT0, kT0 + hours(2), 1000);
  ASSERT_EQ(all.size(), 100u);
  EXPECT_DOUBLE_EQ(all[10].rsoc_pct, 51.0);
  EXPECT_EQ(all[10].mode, "0x0002");
  EXPECT_DOUBLE_EQ(all[10].wb_w, -540.25);
  const auto window = store->series("E001", kT0 + minutes(10), kT0 + minutes(19), 1000);
  EXPECT_EQ(window.size(), 10u);
  const auto thinned = store->series("E001", kT0, kT0 + hours(2), 10);
  EXPECT_EQ(thinned.size(), 10u);
  EXPECT_EQ(thinned[1].time, kT0 + minutes(10));
  EXPECT_TRUE(store->series("E009", kT0, kT0 + hours(2), 10).empty());
  EXPECT_EQ(store->totals(kT0, kT0 + hours(2), 1000).size(), 100u);
  EXPECT_EQ(store->last_time(), kT0 + minutes(99));
  EXPECT_DOUBLE_EQ(store->last_rsoc("E001").value(), 59.9);
  EXPECT_FALSE(store->last_rsoc("E009"));
}

TEST(HistoryStore, PagesDealsNewestFirst) {
  auto store = HistoryStore::open(":memory:").value();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store->add_deal({fmt::format("d{}", i), kT0 + minutes(i), fmt::format(R"({{"dealId":"d{}"}})", i)}));
  }
  EXPECT_EQ(store->deal_count(), 5u);
  const auto page = store->deals(1, 2);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].deal_id, "d3");
  EXPECT_EQ(page[1].deal_id, "d2");
  EXPECT_EQ(deals_csv(page, hours(9)),
            "disposed,dealId,json\n"
            "2021/06/01-09:03:00,d3,\"{\"\"dealId\"\":\"\"d3\"\"}\"\n"
            "2021/06/01-09:02:00,d2,\"{\"\"dealId\"\":\"\"d2\"\"}\"\n");
}

TEST(HistoryStore, SurvivesAReopenOfItsFile) {
  test::TempDir dir;
  const std::string path = dir.path("history.sqlite");
  {
    auto store = HistoryStore::open(path).value();
    ASSERT_TRUE(store->add({sample("E001", 5, 42)}, TotalsSample{kT0 + minutes(5)}));
    ASSERT_TRUE(store->add_deal({"d1", kT0 + minutes(5), "{}"}));
  }
  auto again = HistoryStore::open(path).value();
  EXPECT_EQ(again->deal_count(), 1u);
  EXPECT_EQ(again->last_time(), kT0 + minutes(5));
  EXPECT_DOUBLE_EQ(again->last_rsoc("E001").value(), 42.0);
  EXPECT_EQ(series_csv(again->series("E001", kT0, kT0 + hours(1), 10), Duration{}),
            "time,unit,rsoc,vg,ig,wg,vb,ib,wb,pv,load,mode\n"
            "2021/06/01-00:05:00,E001,42.00,350.000,-1.5000,0.00,0.000,0.0000,-540.25,0.00,0.00,0x0002\n");
}

TEST(HistoryStore, ABadPathIsAClearError) {
  auto store = HistoryStore::open("/nonexistent/folder/history.sqlite");
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find("/nonexistent/folder/history.sqlite"), std::string::npos);
}

}  // namespace
}  // namespace wattshare
