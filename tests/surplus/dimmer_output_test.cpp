#include "surplus/dimmer_output.hpp"

#include <cmath>
#include <numbers>

#include <gtest/gtest.h>

namespace wattshare::surplus {
namespace {

TEST(PhaseAngle, PowerShareFollowsTheSineWaveIntegral) {
  EXPECT_DOUBLE_EQ(phase_angle_power_share(0), 1.0);
  EXPECT_NEAR(phase_angle_power_share(std::numbers::pi / 2), 0.5, 1e-12);  // symmetric halves
  EXPECT_NEAR(phase_angle_power_share(std::numbers::pi), 0.0, 1e-12);
  // At 60° the conducting part carries 1 − 1/3 + sin(120°)/2π = 0.8045 of the power.
  EXPECT_NEAR(phase_angle_power_share(std::numbers::pi / 3), 0.80449, 1e-5);
}

TEST(PhaseAngle, DelayDeliversTheCommandedPowerNotTheCommandedTime) {
  // 25 % of the power needs a delay well past a quarter of the half cycle (xlyric's linear map
  // would fire at 7.5 ms and deliver only 9 %).
  const auto f = phase_angle_firing(25, 50, 1);
  EXPECT_NEAR(f.power_share, 0.25, 0.001);
  EXPECT_NEAR(f.delay_us, 6324, 1);
  EXPECT_NEAR(phase_angle_power_share(0.75 * std::numbers::pi), 0.0908, 1e-3);
  for (double pct : {1.0, 10.0, 33.3, 50.0, 66.7, 90.0, 99.0}) {
    const auto g = phase_angle_firing(pct, 50, 10);
    EXPECT_NEAR(g.power_share * 100, pct, 0.5) << pct;  // a 10 µs tick is fine enough
    EXPECT_EQ(std::fmod(g.delay_us, 10.0), 0.0) << pct;
  }
  EXPECT_DOUBLE_EQ(phase_angle_firing(50, 60, 1).delay_us, std::round(1e6 / 120 / 2));
}

TEST(PhaseAngle, EndsAndOutOfRangeCommands) {
  EXPECT_DOUBLE_EQ(phase_angle_firing(0, 50).delay_us, 10000);   // never fires
  EXPECT_DOUBLE_EQ(phase_angle_firing(0, 50).power_share, 0.0);
  EXPECT_DOUBLE_EQ(phase_angle_firing(100, 50).delay_us, 0);     // fires at the crossing
  EXPECT_DOUBLE_EQ(phase_angle_firing(-20, 50).power_share, 0.0);
  EXPECT_DOUBLE_EQ(phase_angle_firing(180, 50).power_share, 1.0);
}

TEST(BurstFire, LongRunShareIsExactAndOnCyclesAreSpreadEvenly) {
  for (double pct : {0.0, 3.0, 25.0, 37.5, 50.0, 99.0, 100.0}) {
    BurstFire b;
    int longest_off = 0, off = 0, on = 0;
    for (int i = 0; i < 5000; ++i) {
      if (b.next_cycle(pct)) {
        ++on;
        off = 0;
      } else {
        longest_off = std::max(longest_off, ++off);
      }
    }
    EXPECT_NEAR(b.delivered_share(), pct / 100, 1.0 / 5000) << pct;
    EXPECT_EQ(on, static_cast<int>(std::lround(pct / 100 * 5000))) << pct;
    if (pct > 0) {  // no long gaps
      EXPECT_LE(longest_off, static_cast<int>(std::ceil(100 / pct))) << pct;
    }
  }
}

TEST(BurstFire, HalfAlternatesFromTheFirstCycleAndFollowsACommandChange) {
  BurstFire b;
  std::string pattern;
  for (int i = 0; i < 6; ++i) pattern += b.next_cycle(50) ? '1' : '0';
  EXPECT_EQ(pattern, "101010");
  pattern.clear();
  for (int i = 0; i < 8; ++i) pattern += b.next_cycle(25) ? '1' : '0';
  EXPECT_EQ(pattern, "01000100");
}

}  // namespace
}  // namespace wattshare::surplus
