#include "physics/battery.hpp"

#include <gtest/gtest.h>

namespace wattshare {
namespace {

BatteryParams params() {
  BatteryParams p;
  p.capacity_wh = 4800;
  p.initial_rsoc_pct = 50;
  p.self_discharge_pct_per_month = 0;
  return p;
}

TEST(Battery, ChargesWithItsEfficiencyAndCountsTheLoss) {
  Battery b{params()};
  const BatteryFlow f = b.exchange(1000, 3600);  // 1 kW for an hour
  EXPECT_DOUBLE_EQ(f.terminal_w, 1000);
  EXPECT_NEAR(b.stored_wh(), 2400 + 970, 1e-9);
  EXPECT_NEAR(f.loss_wh, 30, 1e-9);
  EXPECT_NEAR(b.rsoc_pct(), 100.0 * 3370 / 4800, 1e-9);
}

TEST(Battery, DischargeTakesMoreFromStorageThanItDelivers) {
  Battery b{params()};
  const BatteryFlow f = b.exchange(-970, 3600);
  EXPECT_DOUBLE_EQ(f.terminal_w, -970);
  EXPECT_NEAR(b.stored_wh(), 2400 - 1000, 1e-9);
  EXPECT_NEAR(f.loss_wh, 30, 1e-9);
}

TEST(Battery, RespectsPowerLimitsAndTheBmsWindow) {
  auto p = params();
  p.max_charge_w = 500;
  p.initial_rsoc_pct = 99.9;
  Battery b{p};
  EXPECT_DOUBLE_EQ(b.exchange(3000, 1).terminal_w, 500);  // power limit
  b.exchange(3000, 3600);                                 // fills to the ceiling
  EXPECT_NEAR(b.rsoc_pct(), 100, 1e-9);
  EXPECT_DOUBLE_EQ(b.exchange(3000, 60).terminal_w, 0);   // full: nothing more

  auto q = params();
  q.initial_rsoc_pct = 2.5;
  q.floor_rsoc_pct = 2;
  Battery low{q};
  const BatteryFlow f = low.exchange(-3000, 3600);
  EXPECT_NEAR(low.rsoc_pct(), 2, 1e-9);                   // stops at the BMS floor
  EXPECT_NEAR(-f.terminal_w, 24 * 0.97, 1e-9);            // 0.5 % of 4.8 kWh, after losses
}

// What a house's surplus router is told the battery could have taken (issue 18, battery-first):
// its power limit, or near its ceiling what fills it in the step, and exactly what exchange() takes.
TEST(Battery, ChargeLimitIsWhatAChargeOfTheStepCouldPutIn) {
  BatteryParams p = params();
  p.max_charge_w = 3000;
  Battery b{p};
  EXPECT_DOUBLE_EQ(b.charge_limit_w(60), 3000);
  b.set_rsoc_pct(99.9);  // 4.8 Wh of room: 4.8 / 0.97 Wh in, over one minute
  const double limit_w = b.charge_limit_w(60);
  EXPECT_NEAR(limit_w, 4.8 / 0.97 * 60, 1e-6);
  EXPECT_DOUBLE_EQ(b.exchange(5000, 60).terminal_w, limit_w);
  EXPECT_NEAR(b.charge_limit_w(60), 0, 1e-6);  // full
  EXPECT_DOUBLE_EQ(b.charge_limit_w(0), 0);
}

TEST(Battery, VoltageFollowsRsocInThe48To52VoltWindow) {
  auto p = params();
  p.initial_rsoc_pct = 0;
  EXPECT_NEAR(Battery{p}.open_circuit_voltage_v(), 48, 1e-12);
  p.initial_rsoc_pct = 100;
  EXPECT_NEAR(Battery{p}.open_circuit_voltage_v(), 52, 1e-12);
  p.initial_rsoc_pct = 50;
  Battery b{p};
  EXPECT_NEAR(b.voltage_v(10), 50 + 0.2, 1e-12);  // IR rise while charging
}

TEST(Battery, SelfDischargesAndReportsDenial) {
  auto p = params();
  p.self_discharge_pct_per_month = 3;
  Battery b{p};
  const BatteryFlow f = b.exchange(0, 30 * 86400.0);
  EXPECT_NEAR(f.loss_wh, 0.03 * 4800, 1e-6);
  EXPECT_EQ(b.permission(), BatteryPermission::kPermit);
  b.set_denied(true);
  EXPECT_EQ(static_cast<int>(b.permission()), 0);
}

}  // namespace
}  // namespace wattshare
