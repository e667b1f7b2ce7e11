// The two controllers' state machines, tick by tick, with the plant replaced by given samples.
#include <gtest/gtest.h>

#include <algorithm>

#include "p2p/inverter.hpp"
#include "p2p/rectifier.hpp"

namespace wattshare::p2p {
namespace {

const RectifierMeasurements kNormal{10, -1.5, 46};

Rectifier make_rectifier(RectifierConfig c = {}) {
  auto r = Rectifier::make(c);
  EXPECT_TRUE(r);
  return *r;
}

void send(Rectifier& r, LinkStatus s, float p = 19) { r.receive(encode({p, s, 0})); }

TEST(Rectifier, FollowsTheInvertersRunAndStopFrames) {
  Rectifier r = make_rectifier();
  EXPECT_EQ(r.tick(kNormal).pwm_on, false);
  send(r, LinkStatus::kRunRecordStart);
  RectifierOutput out = r.tick(kNormal);
  EXPECT_EQ(r.state(), ConverterState::kPower);
  EXPECT_TRUE(out.pwm_on);
  EXPECT_NEAR(out.v_dc_ref_v, 46.744, 1e-3);  // √(19·115)
  EXPECT_TRUE(r.record_start_seen());
  // First tick after reset(0.2): g = 0.2 plus Kp·e and the first integral step.
  EXPECT_NEAR(out.g_s, 0.01 * (0.744 + 1e-4 * 0.744 / 0.1) + 0.2, 1e-4);
  EXPECT_NEAR(out.i_ref_a, -out.g_s * 10, 1e-12);
  send(r, LinkStatus::kStop);
  out = r.tick(kNormal);
  EXPECT_EQ(r.state(), ConverterState::kIdle);
  EXPECT_FALSE(out.pwm_on);
  EXPECT_EQ(out.duty, 0);
}

TEST(Rectifier, LostFramesStopItAtZeroDutyAfterTheTimeoutAndAStopFrameClearsTheError) {
  RectifierConfig c;
  c.frame_timeout_ticks = 5;
  Rectifier r = make_rectifier(c);
  send(r, LinkStatus::kRun);
  r.tick(kNormal);
  int ticks = 0;
  while (r.state() == ConverterState::kPower && ticks < 100) {
    const RectifierOutput out = r.tick(kNormal);
    ++ticks;
    if (r.state() == ConverterState::kError) {
      EXPECT_FALSE(out.pwm_on);
      EXPECT_EQ(out.duty, 0);
    }
  }
  EXPECT_EQ(ticks, 5);
  EXPECT_EQ(r.trip(), Trip::kFrameTimeout);
  send(r, LinkStatus::kRun);  // running frames do not clear a fault
  r.tick(kNormal);
  EXPECT_EQ(r.state(), ConverterState::kError);
  send(r, LinkStatus::kStop);
  r.tick(kNormal);
  EXPECT_EQ(r.state(), ConverterState::kIdle);
  EXPECT_EQ(r.trip(), Trip::kNone);
  send(r, LinkStatus::kRun);
  r.tick(kNormal);
  EXPECT_EQ(r.state(), ConverterState::kPower);
}

TEST(Rectifier, OverCurrentTripsAfterTheConfiguredRunOfSamples) {
  Rectifier r = make_rectifier();  // 7 A, 3 ticks
  RectifierMeasurements m = kNormal;
  m.i_ac_a = -7.5;
  send(r, LinkStatus::kRun);
  r.tick(m);
  send(r, LinkStatus::kRun);
  r.tick(kNormal);  // one sample back in range restarts the count
  for (int k = 0; k < 2; ++k) {
    send(r, LinkStatus::kRun);
    EXPECT_TRUE(r.tick(m).pwm_on) << k;
  }
  send(r, LinkStatus::kRun);
  EXPECT_FALSE(r.tick(m).pwm_on);
  EXPECT_EQ(r.state(), ConverterState::kError);
  EXPECT_EQ(r.trip(), Trip::kOverCurrent);
}

TEST(Rectifier, BusOverVoltageTrips) {
  Rectifier r = make_rectifier();
  RectifierMeasurements m = kNormal;
  m.v_high_v = 85;
  for (int k = 0; k < 3; ++k) {
    send(r, LinkStatus::kRun);
    r.tick(m);
  }
  EXPECT_EQ(r.trip(), Trip::kBusOverVoltage);
}

TEST(Rectifier, CorruptedFramesAreCountedAndChangeNothing) {
  Rectifier r = make_rectifier();
  send(r, LinkStatus::kRun, 19);
  r.tick(kNormal);
  FrameBytes bad = encode({250.0f, LinkStatus::kStop, 1});
  bad[2] ^= 0x20;
  for (int k = 0; k < 3; ++k) {
    r.receive(bad);
    send(r, LinkStatus::kRun, 19);
    r.tick(kNormal);
  }
  r.receive(bad);
  r.tick(kNormal);
  EXPECT_EQ(r.power_ref_w(), 19.0f);
  EXPECT_EQ(r.state(), ConverterState::kPower);
  EXPECT_EQ(r.frames_bad(), 4u);
  EXPECT_EQ(r.frames_ok(), 4u);
}

TEST(Rectifier, RefusesUnusableSettings) {
  RectifierConfig c;
  c.frame_timeout_ticks = 0;
  EXPECT_FALSE(Rectifier::make(c));
  c = {};
  c.pr.kr = 0;
  EXPECT_EQ(Rectifier::make(c).error().message, "PR: Kr must not be 0");
}

TEST(Inverter, SendsRecordStartThenRunThenOneStopFrame) {
  Inverter inv({});
  EXPECT_FALSE(inv.tick(0).frame);
  inv.start();
  std::vector<LinkStatus> sent;
  for (int k = 0; k < 3; ++k) sent.push_back(decode(*inv.tick(0).frame)->status);
  inv.stop();
  const InverterOutput last = inv.tick(0);
  ASSERT_TRUE(last.frame);
  sent.push_back(decode(*last.frame)->status);
  EXPECT_FALSE(last.pwm_on);
  EXPECT_FALSE(inv.tick(0).frame);
  EXPECT_EQ(sent, (std::vector<LinkStatus>{LinkStatus::kRunRecordStart, LinkStatus::kRun,
                                           LinkStatus::kRun, LinkStatus::kStop}));
}

TEST(Inverter, DutyIsTheOpenLoopSineAndOverCurrentStopsIt) {
  Inverter inv({});
  inv.start();
  double lo = 1, hi = 0;
  for (int k = 0; k < 200; ++k) {
    const double d = inv.tick(1).duty;
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  EXPECT_NEAR(lo, 0.35, 1e-4);
  EXPECT_NEAR(hi, 0.65, 1e-4);
  for (int k = 0; k < 3; ++k) inv.tick(8);
  EXPECT_EQ(inv.state(), ConverterState::kError);
  EXPECT_EQ(inv.trip(), Trip::kOverCurrent);
  inv.start();  // refused until acknowledged
  EXPECT_EQ(inv.state(), ConverterState::kError);
  inv.stop();
  inv.start();
  EXPECT_EQ(inv.state(), ConverterState::kPower);
}

}  // namespace
}  // namespace wattshare::p2p
