// The flexible loads of issue 18, minute by minute: a hot-water tank and an electric car. Energy
// conserved to 1e-6 of a Wh, the tank's temperature within its bounds, its baseline night
// heating, surplus heating up to its maximum and no further; a car that leaves with what it
// needed on the baseline and when routed, and a shortfall counted when it cannot.
#include <gtest/gtest.h>

#include "physics/ev_model.hpp"
#include "physics/water_heater.hpp"

namespace wattshare {
namespace {

const std::int64_t kMonday = (from_civil(2021, 5, 3).time_since_epoch() / minutes(1));  // local minutes
TimePoint local(std::int64_t minute) { return TimePoint{minutes(minute)}; }

TEST(WaterHeater, TheBaselineHeatsAtNightConservesEnergyAndStaysWithinItsBounds) {
  WaterHeater tank{{.volume_l = 200, .element_w = 2000, .seed = 3}};
  const double start_wh = tank.stored_wh();
  double in_wh = 0, out_wh = 0, draw_wh = 0, night_wh = 0;
  double coldest = 100, hottest = 0;
  for (std::int64_t m = 0; m < 30 * 1440; ++m) {
    const WaterHeaterStep s = tank.step(kMonday + m, minutes(1), 0);
    EXPECT_EQ(s.surplus_w, 0);
    in_wh += s.element_w() / 60;
    out_wh += (s.draw_w + s.loss_w) / 60;
    draw_wh += s.draw_w / 60;
    const int minute = static_cast<int>(m % 1440);
    if (minute >= 23 * 60 || minute < 7 * 60) night_wh += s.element_w() / 60;
    coldest = std::min(coldest, tank.temperature_c());
    hottest = std::max(hottest, tank.temperature_c());
    if (minute == 7 * 60 - 1) {
      // The night brought it to its set-point (it keeps it there within one minute's loss).
      EXPECT_NEAR(tank.temperature_c(), 60, 0.01) << "day " << m / 1440;
    }
  }
  EXPECT_NEAR(tank.stored_wh() - start_wh, in_wh - out_wh, 1e-6 * 30);
  EXPECT_NEAR(draw_wh, 30 * 4000, 30 * 4000 * 0.1);  // every draw served, 4 kWh a day on average
  EXPECT_GT(night_wh, 0.8 * in_wh);                   // heated from the mains at night, by day only below 40 °C
  EXPECT_GE(coldest, 15);
  EXPECT_LE(hottest, 60 + 1e-9);
}

TEST(WaterHeater, SurplusHeatsItToItsMaximumThenItTakesNothing) {
  WaterHeater routed{{.seed = 3}}, baseline{{.seed = 3}};
  double routed_mains = 0, baseline_mains = 0, surplus = 0;
  bool full_and_refusing = false;
  for (std::int64_t m = 0; m < 7 * 1440; ++m) {
    const int minute = static_cast<int>(m % 1440);
    const double sun = minute >= 10 * 60 && minute < 15 * 60 ? 3000.0 : 0.0;
    const WaterHeaterStep r = routed.step(kMonday + m, minutes(1), sun);
    routed_mains += r.mains_w / 60;
    surplus += r.surplus_w / 60;
    baseline_mains += baseline.step(kMonday + m, minutes(1), 0).mains_w / 60;
    EXPECT_LE(r.surplus_w, 2000 + 1e-9);  // never more than its element
    EXPECT_LE(routed.temperature_c(), 65 + 1e-9);
    if (sun > 0 && !routed.can_take()) full_and_refusing |= r.surplus_w < r.loss_w + 1e-9;
  }
  EXPECT_TRUE(full_and_refusing);  // at 65 °C it takes only what keeps it there
  EXPECT_GT(surplus, 7 * 2000.0);
  EXPECT_LT(routed_mains, 0.5 * baseline_mains);  // the sun's heat spares the night's
}

TEST(EvModel, OnTheBaselineTheCarLeavesFullAndEnergyBalances) {
  EvModel car{{.battery_kwh = 40, .seed = 5}};
  const double start_wh = car.energy_wh();
  double charged_wh = 0;
  for (std::int64_t m = 0; m < 28 * 1440; ++m) charged_wh += car.step(local(kMonday + m), minutes(1), 0, true).total_w() / 60;
  EXPECT_NEAR(charged_wh, car.energy_wh() - start_wh + car.driven_wh(), 1e-6 * 28);
  EXPECT_EQ(car.shortfall_wh(), 0);
  EXPECT_GE(car.departures(), 20);           // every workday, and some weekend trips
  EXPECT_LE(car.departures(), 28);
  EXPECT_NEAR(car.driven_wh(), 20 * 8000, 20 * 8000 * 0.25 + 8 * 6000);
}

TEST(EvModel, RoutedItTakesTheSurplusAndTheMainsOnlyWhenItMust) {
  EvModel routed{{.seed = 5}}, baseline{{.seed = 5}};
  double mains = 0, surplus = 0, baseline_mains = 0;
  for (std::int64_t m = 0; m < 28 * 1440; ++m) {
    const int minute = static_cast<int>(m % 1440);
    const double sun = minute >= 10 * 60 && minute < 15 * 60 ? 2500.0 : 0.0;
    const EvStep s = routed.step(local(kMonday + m), minutes(1), sun, false);
    EXPECT_LE(s.surplus_w, sun + 1e-9);
    mains += s.mains_w / 60;
    surplus += s.surplus_w / 60;
    baseline_mains += baseline.step(local(kMonday + m), minutes(1), 0, true).mains_w / 60;
  }
  EXPECT_EQ(routed.shortfall_wh(), 0);  // it always left with the trip and its reserve
  EXPECT_GT(surplus, 0);               // weekend and holiday sun went into it
  EXPECT_LT(mains, baseline_mains);
  EXPECT_EQ(routed.departures(), baseline.departures());
}

// Steps shorter than a minute (the community re-solves its bus every second while converters
// ramp) still bring the car to what it needs by the minute it leaves.
TEST(EvModel, SecondStepsLeaveWithWhatItNeedsToo) {
  EvModel car{{.battery_kwh = 40, .start_soc = 0.05, .seed = 5}};
  for (std::int64_t s = 0; s < 3 * 86400; ++s) (void)car.step(local(kMonday) + seconds(s), seconds(1), 0, false);
  EXPECT_EQ(car.shortfall_wh(), 0);
  EXPECT_GE(car.departures(), 3);
}

TEST(EvModel, ACarThatCannotChargeEnoughIsCountedShort) {
  EvModel slow{{.battery_kwh = 40, .max_w = 200, .workday_kwh = 15, .start_soc = 0.2, .seed = 5}};
  for (std::int64_t m = 0; m < 7 * 1440; ++m) (void)slow.step(local(kMonday + m), minutes(1), 0, false);
  EXPECT_GT(slow.shortfall_wh(), 10000);
}

// The value order (issue 18) weighs a tank's heat by what of it is still there when it is used:
// 1.3 W/K of standing loss on 200 L (232.6 Wh/K) loses 0.56 % of a Wh per hour held.
TEST(WaterHeater, HeatKeptUntilUseFallsWithTheHoursToTheNextDrawOrNight) {
  WaterHeater tank{{.volume_l = 200, .loss_w_per_k = 1.3}};
  const double per_hour = 1.3 / (200 * 1.163);
  EXPECT_NEAR(tank.heat_kept_share(kMonday + 19 * 60), 1 - per_hour, 1e-12);       // evening draw at 20:00
  EXPECT_NEAR(tank.heat_kept_share(kMonday + 8 * 60), 1 - 12 * per_hour, 1e-12);   // morning: 12 h to it
  EXPECT_NEAR(tank.heat_kept_share(kMonday + 21 * 60), 1 - 2 * per_hour, 1e-12);   // the night window at 23:00
  EXPECT_DOUBLE_EQ(tank.heat_kept_share(kMonday + 20 * 60), 1.0);                  // used now
  EXPECT_NEAR(tank.below_setpoint_wh(), 0, 1e-9);                                   // starts at 60 °C
}

// What a car still lacks for its next departure: the trip and the reserve, less what it has.
TEST(EvModel, MissingIsTheNextTripAndReserveLessItsEnergy) {
  EvModel car{{.battery_kwh = 40, .workday_kwh = 8, .reserve_kwh = 4, .start_soc = 0.1, .seed = 5}};
  const std::int64_t day = kMonday / 1440;
  const EvModel::Trip trip = car.trip_on(day + 1);  // Tuesday's, from Monday evening on
  EXPECT_NEAR(car.missing_wh(local(kMonday + 21 * 60)), trip.wh + 4000 - 4000, 1e-9);
  EXPECT_DOUBLE_EQ(car.room_wh(), 36000);
  car.step(local(kMonday + 21 * 60), hours(1), 7400, false);  // an hour of surplus
  EXPECT_NEAR(car.missing_wh(local(kMonday + 22 * 60)), std::max(trip.wh - 7400, 0.0), 1e-9);
}

}  // namespace
}  // namespace wattshare
