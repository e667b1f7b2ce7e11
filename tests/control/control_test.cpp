// The controllers against the reference's test vectors and against analytic responses.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "control/low_pass.hpp"
#include "control/pid.hpp"
#include "control/pr.hpp"
#include "control/sogi_pll.hpp"

namespace wattshare::control {
namespace {

constexpr double kPi = std::numbers::pi;

TEST(Pid, ResetToAnOutputMakesTheNextOutputThatValueAtZeroError) {
  // The library's own test: reset(−0.4), then calculateWithReturn(1, 1) returns −0.4.
  auto pid = Pid::make({.ts_s = 5, .kp = 0.73, .ti_s = 2.735, .td_s = 0.122, .n = 10,
                        .lower = -0.8, .upper = 0.8});
  ASSERT_TRUE(pid);
  pid->reset(-0.4);
  EXPECT_NEAR(pid->update(1, 1), -0.4, 1e-12);
}

TEST(Pid, PiRampsUnderAConstantErrorWithTheIntegralUpdatedFirst) {
  auto pi = Pid::make({.ts_s = 0.1, .kp = 2, .ti_s = 0.5, .lower = -100, .upper = 100});
  ASSERT_TRUE(pi);
  for (int n = 1; n <= 5; ++n) EXPECT_NEAR(pi->update(1, 0), 2 * (1 + 0.2 * n), 1e-12) << n;
}

TEST(Pid, BackCalculationLetsTheOutputLeaveTheBoundAtOnce) {
  auto pi = Pid::make({.ts_s = 0.1, .kp = 2, .ti_s = 0.5, .lower = -3, .upper = 3});
  ASSERT_TRUE(pi);
  for (int n = 0; n < 50; ++n) EXPECT_LE(pi->update(1, 0), 3);
  EXPECT_EQ(pi->output(), 3);
  // The integral was set so that the raw output is exactly 3: I = Ti·(3/Kp − e) = 0.25.
  // With e = −1: I = 0.25 − 0.1 = 0.15, u = 2·(−1 + 0.15/0.5) = −1.4 (no wind-up to unwind).
  EXPECT_NEAR(pi->update(-1, 0), -1.4, 1e-12);
}

TEST(Pid, FilteredDerivativeAnswersAStepWithTheFilterPole) {
  // Td = 1, N = 9, Ts = 1: τ = 1/9, b1 = 0.9, a1 = −0.1. A unit step in e at the first call:
  // D = 1, Df = 0.9 → u = Kp·(1 + I/Ti + 0.9) with I = 1, Ti = 1000 → 1.901·Kp.
  auto pid = Pid::make({.ts_s = 1, .kp = 1, .ti_s = 1000, .td_s = 1, .n = 9, .lower = -10, .upper = 10});
  ASSERT_TRUE(pid);
  EXPECT_NEAR(pid->update(1, 0), 1 + 0.001 + 0.9, 1e-12);
  // Next call: D = 0, Df = 0.1·0.9 = 0.09; I = 2 → u = 1 + 0.002 + 0.09.
  EXPECT_NEAR(pid->update(1, 0), 1 + 0.002 + 0.09, 1e-12);
}

TEST(Pid, RefusesTheLibrarysInvalidParameters) {
  EXPECT_EQ(Pid::make({.ts_s = 0, .kp = 1, .ti_s = 1, .upper = 1}).error().message,
            "PID: sampling period 0 s must be > 0");
  EXPECT_EQ(Pid::make({.ts_s = 1, .kp = 0, .ti_s = 1, .upper = 1}).error().message, "PID: Kp must not be 0");
  EXPECT_EQ(Pid::make({.ts_s = 1, .kp = 1, .ti_s = 0, .upper = 1}).error().message, "PID: Ti must not be 0");
  EXPECT_EQ(Pid::make({.ts_s = 1, .kp = 1, .ti_s = 1, .td_s = -1, .upper = 1}).error().message,
            "PID: Td and N must be >= 0");
  EXPECT_EQ(Pid::make({.ts_s = 1, .kp = 1, .ti_s = 1, .lower = 2, .upper = 1}).error().message,
            "PID: lower bound 2 > upper bound 1");
}

TEST(Pid, SetBoundsIgnoresAnEmptyRange) {
  auto pi = Pid::make({.ts_s = 1, .kp = 1, .ti_s = 1, .lower = -1, .upper = 1});
  pi->set_bounds(5, 5);
  EXPECT_EQ(pi->params().upper, 1);
  pi->set_bounds(-2, 2);
  EXPECT_EQ(pi->params().upper, 2);
}

TEST(Pr, MatchesTheLibraryTestVectorsAndRetunesWithSetW0) {
  auto pr = Pr::make({.ts_s = 1e-3, .kp = 0, .kr = 1, .w0_rad_s = 314.159, .lower = -10, .upper = 10});
  ASSERT_TRUE(pr);
  EXPECT_NEAR(pr->update(1, 0), 0.001, 2e-6);
  EXPECT_NEAR(pr->update(1, 0), 0.001951, 2e-6);
  EXPECT_NEAR(pr->update(1, 0), 0.002760, 2e-6);
  pr->set_w0(628.3185);
  pr->reset();
  EXPECT_NEAR(pr->update(1, 0), 0.001, 2e-6);
  EXPECT_NEAR(pr->update(1, 0), 0.001809, 2e-6);
  EXPECT_NEAR(pr->update(1, 0), 0.002118, 2e-6);
}

TEST(Pr, ResonatorGrowsLinearlyUnderAnErrorAtItsFrequency) {
  // s/(s² + ω0²) driven by cos ω0t gives (sin ω0t + ω0·t·cos ω0t)/(2ω0): envelope t/2.
  const double ts = 1e-4, w0 = 2 * kPi * 50;
  auto pr = Pr::make({.ts_s = ts, .kp = 0, .kr = 1, .w0_rad_s = w0, .lower = -1e9, .upper = 1e9});
  double peak = 0;
  for (int n = 0; n < 10000; ++n) {
    const double u = pr->update(std::cos(w0 * n * ts), 0);
    if (n >= 9800) peak = std::max(peak, std::abs(u));
  }
  EXPECT_NEAR(peak, 0.5, 0.5 * 0.02);  // t = 1 s
}

TEST(Pr, TracksASinusoidalReferenceThroughAnInductorWithoutSteadyStateError) {
  // Plant: L·di/dt = u, L = 66 µH (the link's 2L); PR Kp = 0.2, Kr = 3000 as the rectifier.
  const double ts = 1e-4, w0 = 2 * kPi * 50, l = 66e-6;
  auto pr = Pr::make({.ts_s = ts, .kp = 0.2, .kr = 3000, .w0_rad_s = w0, .lower = -50, .upper = 50});
  double i = 0, worst = 0;
  for (int n = 0; n < 4000; ++n) {
    const double ref = 2.5 * std::sin(w0 * n * ts);
    if (n >= 3800) worst = std::max(worst, std::abs(ref - i));
    i += pr->update(ref, i) * ts / l;
  }
  EXPECT_LT(worst, 0.025);  // < 1 % of the 2.5 A amplitude
}

TEST(Pr, SaturatesAndOverwritesTheResonatorState) {
  auto pr = Pr::make({.ts_s = 1e-4, .kp = 0.2, .kr = 300, .w0_rad_s = 2513.27, .phi_prime_rad = 0.377,
                      .lower = -1, .upper = 1});
  EXPECT_EQ(pr->update(10, 0), 1);
  for (int n = 0; n < 100; ++n) {
    const double u = pr->update(10, 0);
    EXPECT_LE(u, 1);
    EXPECT_GE(u, -1);
  }
  // No wind-up: the stored state was pulled back to (1 − Kp·e)/Kr each step, so a small reversed
  // error turns the output around on the very next step.
  EXPECT_LT(pr->update(-0.5, 0), 0);
}

TEST(Pr, RefusesZeroKrAndInvertedBounds) {
  EXPECT_EQ(Pr::make({.ts_s = 1e-4, .kp = 1, .kr = 0, .upper = 1}).error().message, "PR: Kr must not be 0");
  EXPECT_EQ(Pr::make({.ts_s = 1e-4, .kp = 1, .kr = 1, .lower = 1, .upper = 0}).error().message,
            "PR: upper bound 0 < lower bound 1");
}

TEST(LowPass, StepResponseFollowsTheExponential) {
  const double ts = 1e-4, tau = 0.01;
  auto f = LowPass::make(ts, tau);
  ASSERT_TRUE(f);
  for (int n = 1; n <= 500; ++n) {
    const double y = f->update(1);
    ASSERT_NEAR(y, 1 - std::exp(-n * ts / tau), 2e-5) << n;
  }
  f->reset(3);
  EXPECT_EQ(f->output(), 3);
  EXPECT_EQ(LowPass::make(ts, 0).error().message, "low-pass: Ts = 0.0001 s and tau = 0 s must both be > 0");
}

struct PllCase {
  double f_hz, phase_rad, amplitude;
};

class SogiPllLock : public ::testing::TestWithParam<PllCase> {};

TEST_P(SogiPllLock, LocksOntoFrequencyPhaseAndAmplitude) {
  const auto [f, phase, amplitude] = GetParam();
  auto pll = SogiPll::make({});
  ASSERT_TRUE(pll);
  const double ts = 1e-4;
  double worst_phase = 0;
  for (int n = 0; n < 5000; ++n) {
    const double theta_v = 2 * kPi * f * n * ts + phase;
    pll->update(amplitude * std::cos(theta_v));
    if (n >= 4000) {
      // After update n, θ̂ estimates the angle of sample n + 1.
      const double expected = wrap_2pi(theta_v + 2 * kPi * f * ts);
      worst_phase = std::max(worst_phase, std::abs(std::remainder(pll->angle_rad() - expected, 2 * kPi)));
    }
  }
  EXPECT_NEAR(pll->frequency_hz(), f, 0.05);
  EXPECT_LT(worst_phase * 180 / kPi, 1.0);
  EXPECT_NEAR(pll->amplitude(), amplitude, amplitude * 0.01);
}

INSTANTIATE_TEST_SUITE_P(, SogiPllLock,
                         ::testing::Values(PllCase{50, 0, 15}, PllCase{50, 2.0, 15},
                                           PllCase{52, -1.0, 325}, PllCase{47.5, 0.5, 1}));

TEST(SogiPll, WrapKeepsAnglesInOneTurn) {
  EXPECT_NEAR(wrap_2pi(-0.5), 2 * kPi - 0.5, 1e-12);
  EXPECT_NEAR(wrap_2pi(7), 7 - 2 * kPi, 1e-12);
  EXPECT_EQ(wrap_2pi(0), 0);
}

}  // namespace
}  // namespace wattshare::control
