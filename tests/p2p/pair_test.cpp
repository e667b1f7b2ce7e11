// The inverter + rectifier pair on the averaged plant: the reference's acceptance numbers
// (p2p-ac-control.md §6), the delay sweep, link faults, and the plant's power balance.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "p2p/pair_simulation.hpp"
#include "p2p/steady_state.hpp"

namespace wattshare::p2p {
namespace {

struct Run {
  SteadyState s;
  std::vector<TickRecord> records;
  const Rectifier* rectifier = nullptr;
};

PairConfig reference_pair(double duration_s = 3) {
  PairConfig c;  // 19 W, 115 Ω, 50 V, 15 V peak, PR 0.2/3000, PI 0.01/0.1, δ = 5 µs
  c.duration_s = duration_s;
  return c;
}

SteadyState steady(const PairSimulation& sim) {
  return steady_state(sim.records(), 0.2, sim.config().plant.r_load_ohm);
}

TEST(P2pPair, ReferenceSetWithIdealSwitchesMeetsTheReferenceNumbers) {
  auto sim = PairSimulation::make(reference_pair());
  ASSERT_TRUE(sim);
  sim->run();
  const SteadyState s = steady(*sim);
  EXPECT_NEAR(s.vdc_mean_v, 46.74, 0.2);
  EXPECT_NEAR(s.p_load_w, 19.0, 0.3);
  EXPECT_NEAR(s.idc_a, 0.4065, 0.005);
  EXPECT_NEAR(s.vac_peak_v, 15.0, 0.4);
  EXPECT_NEAR(s.phase_deg, 180, 3);
  EXPECT_LT(s.corr_v_i, -0.95);
  EXPECT_GE(s.duty_min, 0.33);
  EXPECT_LE(s.duty_max, 0.67);
  EXPECT_EQ(s.duty_saturated_ticks, 0);
  // The 100 Hz bus ripple is there (5–12 V pp), the current peak and g as the model predicts.
  EXPECT_GT(s.vdc_ripple_pp_v, 5);
  EXPECT_LT(s.vdc_ripple_pp_v, 12);
  EXPECT_GT(s.iac_peak_a, 2.5);
  EXPECT_LT(s.iac_peak_a, 2.8);
  EXPECT_GT(s.g_s, 0.17);
  EXPECT_LT(s.g_s, 0.19);
  // The inverter's current is in phase with the link voltage: it is the one giving power.
  EXPECT_LT(std::remainder(s.inverter_phase_deg, 360.0), 15);
  EXPECT_EQ(s.state, "POWER");
}

TEST(P2pPair, DeadTimeLowersTheAcVoltageAndNarrowsTheDuty) {
  PairConfig c = reference_pair();
  c.plant.dead_time_s = 100e-9;
  auto sim = PairSimulation::make(c);
  sim->run();
  const SteadyState s = steady(*sim);
  EXPECT_NEAR(s.vac_peak_v, 12.8, 0.5);
  EXPECT_GE(s.duty_min, 0.38);
  EXPECT_LE(s.duty_max, 0.62);
  EXPECT_NEAR(s.vdc_mean_v, 46.74, 0.2);
  EXPECT_GT(s.g_s, 0.26);
  EXPECT_LT(s.g_s, 0.32);
}

PairSimulation with_delay(double delay_us) {
  PairConfig c = reference_pair(2.5);
  c.delay_s = delay_us * 1e-6;
  auto sim = PairSimulation::make(c);
  sim->run();
  return std::move(*sim);
}

TEST(P2pPair, DelaySweepIsCleanUpTo20MicrosecondsAndUnstableNearOnePeriod) {
  for (double delay_us : {0.0, 10.0, 20.0}) {
    const SteadyState s = steady(with_delay(delay_us));
    EXPECT_NEAR(s.vdc_mean_v, 46.74, 0.2) << delay_us;
    EXPECT_LT(s.corr_v_i, -0.95) << delay_us;
    EXPECT_LT(s.thd_percent, 15) << delay_us;
    EXPECT_EQ(s.duty_saturated_ticks, 0) << delay_us;
  }
  // δ ≈ Ts: the current loop oscillates and grows until a converter's over-current trip stops
  // the pair (the original, without trips, would have run away).
  const PairSimulation unstable = with_delay(95);
  EXPECT_TRUE(unstable.inverter().trip() == Trip::kOverCurrent ||
              unstable.rectifier().trip() == Trip::kOverCurrent);
  EXPECT_NE(unstable.rectifier().state(), ConverterState::kPower);
  double peak = 0;
  for (const TickRecord& r : unstable.records()) peak = std::max(peak, std::abs(r.i_b));
  EXPECT_GT(peak, 7);
}

TEST(P2pPair, FrameLossStopsTheRectifierWithinTheTimeout) {
  PairConfig c = reference_pair(1.0);
  c.frames_lost_from_s = 0.5;
  auto sim = PairSimulation::make(c);
  sim->run();
  const int timeout = c.rectifier.frame_timeout_ticks;
  const auto& r = sim->records();
  const std::size_t lost = 5000;  // 0.5 s at 100 µs
  for (std::size_t k = lost; k < r.size(); ++k) {
    if (k <= lost + timeout) continue;
    ASSERT_EQ(r[k].rectifier_state, ConverterState::kError) << "tick " << k;
    ASSERT_FALSE(r[k].pwm_b);
    ASSERT_EQ(r[k].duty_b, 0);
  }
  EXPECT_EQ(r[lost].rectifier_state, ConverterState::kPower);
  EXPECT_EQ(sim->rectifier().trip(), Trip::kFrameTimeout);
}

TEST(P2pPair, CorruptedFramesAreRejectedAndTheLoopRunsOn) {
  PairConfig c = reference_pair();
  c.frame_corruption_probability = 0.3;
  c.seed = 42;
  auto sim = PairSimulation::make(c);
  sim->run();
  const SteadyState s = steady(*sim);
  EXPECT_GT(sim->rectifier().frames_bad(), 8000u);
  EXPECT_EQ(sim->rectifier().power_ref_w(), 19.0f);
  EXPECT_EQ(s.state, "POWER");
  EXPECT_NEAR(s.vdc_mean_v, 46.74, 0.2);
}

TEST(P2pPair, InverterStopStopsTheRectifierCleanly) {
  PairConfig c = reference_pair(1.0);
  c.inverter_stop_at_s = 0.6;
  auto sim = PairSimulation::make(c);
  sim->run();
  EXPECT_EQ(sim->inverter().state(), ConverterState::kIdle);
  EXPECT_EQ(sim->rectifier().state(), ConverterState::kIdle);
  EXPECT_EQ(sim->rectifier().trip(), Trip::kNone);
  EXPECT_LT(sim->plant().state().vh_b, 30);  // the load drains the bus
}

TEST(P2pPair, SameSeedGivesTheSameRun) {
  PairConfig c = reference_pair(0.3);
  c.frame_corruption_probability = 0.1;
  auto a = PairSimulation::make(c), b = PairSimulation::make(c);
  a->run();
  b->run();
  EXPECT_EQ(a->rectifier().frames_bad(), b->rectifier().frames_bad());
  EXPECT_EQ(a->plant().state().vh_b, b->plant().state().vh_b);
}

TEST(P2pPair, RefusesUnusableSettings) {
  PairConfig c = reference_pair();
  c.step_s = 2e-6;
  EXPECT_EQ(PairSimulation::make(c).error().message, "p2p: step 2e-06 s must be in (0, 1 µs]");
  c = reference_pair();
  c.delay_s = 150e-6;
  EXPECT_EQ(PairSimulation::make(c).error().message, "p2p: delay 0.00015 s must be in [0, 0.0001 s]");
  c = reference_pair();
  c.step_s = 0.3e-6;
  EXPECT_EQ(PairSimulation::make(c).error().message, "p2p: the control period must be a whole number of steps");
}

TEST(AcLink, PowerFromTheSourceEqualsLoadPlusLossesInSteadyState) {
  auto sim = PairSimulation::make(reference_pair(2.0));
  sim->run();
  const auto& p = sim->config().plant;
  double source = 0, load = 0, losses = 0;
  const auto& r = sim->records();
  const std::size_t n = 2000;  // the last 0.2 s, ten periods
  for (std::size_t k = r.size() - n; k < r.size(); ++k) {
    source += p.vh_source_v * (2 * r[k].duty_a - 1) * r[k].i_a;
    load += r[k].vh_b * r[k].vh_b / p.r_load_ohm;
    const double i_el = (r[k].v_d - r[k].v_el) / p.r_electrolytic_ohm;
    losses += 2 * p.r_per_leg_ohm * (r[k].i_a * r[k].i_a + r[k].i_b * r[k].i_b) + i_el * i_el * p.r_electrolytic_ohm;
  }
  // Sampled once per tick while the duty holds for the tick: agreement to about 2 %.
  EXPECT_NEAR(source / n, (load + losses) / n, 0.02 * source / n);
  EXPECT_GT(losses / n, 0.1);  // the conduction losses are real: ~0.5 W at 2.6 A peak
}

TEST(AcLink, StoppedRectifierIsADiodeBridgeThatChargesTheBusToTheAcPeak) {
  physics::AcLinkParams p;
  p.r_load_ohm = 1e6;  // nearly open: the bus settles near the peak
  physics::AcLink link(p);
  for (int k = 0; k < 400000; ++k) {  // 0.2 s at 0.5 µs
    const double duty = 0.5 + 0.15 * std::sin(2 * M_PI * 50 * k * 0.5e-6);
    link.step(0.5e-6, {duty, true}, {0.5, false});
  }
  EXPECT_NEAR(link.state().vh_b, 15, 0.8);
  EXPECT_GT(link.state().vh_b, 13);
}

}  // namespace
}  // namespace wattshare::p2p
