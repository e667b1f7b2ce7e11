#include "physics/solar.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "physics/hourly_profile.hpp"

namespace wattshare {
namespace {

std::int64_t minute_at(int y, unsigned m, unsigned d, int local_hour, double utc_offset_h) {
  return minute_index(from_civil(y, m, d) + hours(local_hour) -
                      from_seconds(utc_offset_h * 3600));
}

TEST(Solar, NoonSunIsHighInSummerAndLowInWinterAndAbsentAtNight) {
  SolarResource sun{Location{26.46, 127.83, 9}, WeatherParams{}};
  const double june_noon = sun.cos_zenith(minute_at(2021, 6, 21, 12, 9));
  const double dec_noon = sun.cos_zenith(minute_at(2021, 12, 21, 12, 9));
  // Solar noon elevation at 26.5° N: ~87° in June, ~40° in December (noon here is 0.5 h early).
  EXPECT_GT(june_noon, 0.95);
  EXPECT_NEAR(dec_noon, std::cos((26.46 + 23.44) * 3.14159265 / 180.0), 0.08);
  EXPECT_LT(sun.cos_zenith(minute_at(2021, 6, 21, 0, 9)), 0);
  EXPECT_EQ(sun.ghi_w_m2(minute_at(2021, 6, 21, 0, 9)), 0);
}

TEST(Solar, HaurwitzClearSkyMatchesItsFormula) {
  EXPECT_NEAR(SolarResource::clear_sky_ghi_w_m2(1.0), 1098 * std::exp(-0.059), 1e-9);
  EXPECT_EQ(SolarResource::clear_sky_ghi_w_m2(-0.2), 0);
}

TEST(Solar, WeatherIsSeededAndIndependentOfQueryOrder) {
  SolarResource a{Location{}, WeatherParams{.seed = 5}};
  SolarResource b{Location{}, WeatherParams{.seed = 5}};
  SolarResource c{Location{}, WeatherParams{.seed = 6}};
  const std::int64_t m = minute_at(2021, 4, 10, 11, 9);
  const double later = b.clearness(m + 500);
  EXPECT_EQ(a.clearness(m), b.clearness(m));
  EXPECT_EQ(a.clearness(m + 500), later);
  double differ = 0;
  for (int d = 0; d < 30; ++d) differ += std::abs(a.clearness(m + d * 1440) - c.clearness(m + d * 1440));
  EXPECT_GT(differ, 0.5);
  for (int i = 0; i < 5000; ++i) {
    const double k = a.clearness(m + i * 17);
    ASSERT_GE(k, 0.05);
    ASSERT_LE(k, 1.0);
  }
}

TEST(Solar, AYearOfOneKwpYieldsARealisticOkinawaTotal) {
  SolarResource sun{Location{26.46, 127.83, 9}, WeatherParams{.seed = 1}};
  PvArray pv{.kwp = 1.0};
  double wh = 0;
  const std::int64_t first = minute_at(2021, 1, 1, 0, 9);
  for (std::int64_t m = first; m < first + 365 * 1440; ++m)
    wh += pv.power_w(sun.ghi_w_m2(m), sun.ambient_c(m)) / 60.0;
  EXPECT_GT(wh, 1000e0 * 1.0 * 1.0);  // kWh per kWp per year, in Wh
  EXPECT_GT(wh / 1000.0, 1000);
  EXPECT_LT(wh / 1000.0, 1600);
}

TEST(HourlyProfile, InterpolatesBetweenHoursAndRefusesBadRows) {
  std::string text;
  for (int d = 0; d < 2; ++d) {
    for (int h = 0; h < 24; ++h) {
      if (h > 0) text += ',';
      text += std::to_string(h * 100);
    }
    text += "\n";
  }
  auto p = HourlyProfile::parse(text, "pv.csv");
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_DOUBLE_EQ(p->power_w(1, 90), 150);  // 01:30 between 100 and 200
  EXPECT_DOUBLE_EQ(p->power_w(3, 60), 100);  // the year repeats
  auto short_row = HourlyProfile::parse("1,2,3\n", "pv.csv");
  ASSERT_FALSE(short_row.has_value());
  EXPECT_EQ(short_row.error().message, "pv.csv:1: expected 24 hourly values, found 3");
  auto bad = HourlyProfile::parse(std::string(23, ',') + "\n", "pv.csv");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("is not a non-negative number of W"), std::string::npos);
}

TEST(HourlyProfile, TheShippedApisSampleHolds426MWh) {
  auto p = HourlyProfile::load(std::string(WATTSHARE_SOURCE_DIR) + "/examples/apis-sample/pv-hourly.csv");
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->days(), 365u);
  EXPECT_NEAR(p->annual_wh() / 1e6, 4.26, 0.01);
}

}  // namespace
}  // namespace wattshare
