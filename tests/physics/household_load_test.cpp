#include "physics/household_load.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "core/time.hpp"

namespace wattshare {
namespace {

std::int64_t first_minute_of(int year) {
  return std::chrono::sys_days{std::chrono::year{year} / 1 / 1}.time_since_epoch().count() * 1440 -
         9 * 60;  // local midnight at UTC+9
}

double year_kwh(const HouseholdLoad& load, int year) {
  double wh = 0;
  const std::int64_t first = first_minute_of(year);
  for (std::int64_t m = first; m < first + 365 * 1440; ++m) wh += load.power_w(m) / 60.0;
  return wh / 1000.0;
}

TEST(HouseholdLoad, AYearSumsToTheConfiguredEnergy) {
  HouseholdLoad load{LoadParams{.annual_kwh = 4500, .seed = 3}, 9};
  EXPECT_NEAR(year_kwh(load, 2021), 4500, 4500 * 0.02);
}

TEST(HouseholdLoad, EveningsAreBusierThanNightsAndWinterAboveSummer) {
  HouseholdLoad load{LoadParams{.annual_kwh = 4500, .noise_sd = 0, .spikes_per_day = 0}, 9};
  const std::int64_t jan = first_minute_of(2021) + 10 * 1440;  // a Monday
  EXPECT_GT(load.power_w(jan + 19 * 60 + 30), 2 * load.power_w(jan + 3 * 60));
  const std::int64_t jul = jan + 181 * 1440;
  EXPECT_GT(load.power_w(jan + 19 * 60), load.power_w(jul + 19 * 60));
  EXPECT_NEAR(HouseholdLoad::h0_dynamisation(1), 1.2421, 1e-3);
}

TEST(HouseholdLoad, IsSeededStatelessAndSpiky) {
  HouseholdLoad a{LoadParams{.seed = 11}, 9};
  HouseholdLoad b{LoadParams{.seed = 11}, 9};
  HouseholdLoad c{LoadParams{.seed = 12}, 9};
  const std::int64_t m = first_minute_of(2021) + 100 * 1440;
  EXPECT_EQ(a.power_w(m + 777), b.power_w(m + 777));
  EXPECT_NE(a.power_w(m + 777), c.power_w(m + 777));
  double peak = 0;
  for (int i = 0; i < 1440 * 7; ++i) peak = std::max(peak, a.power_w(m + i));
  EXPECT_GT(peak, 1000);  // appliance spikes well above the smooth profile
}

TEST(HouseholdLoad, AShiftedHouseLivesLater) {
  HouseholdLoad base{LoadParams{.noise_sd = 0, .spikes_per_day = 0}, 9};
  HouseholdLoad late{LoadParams{.shift_min = 60, .noise_sd = 0, .spikes_per_day = 0}, 9};
  const std::int64_t m = first_minute_of(2021) + 20 * 1440 + 19 * 60;
  EXPECT_NEAR(late.power_w(m + 60), base.power_w(m), 1e-9);
}

}  // namespace
}  // namespace wattshare
