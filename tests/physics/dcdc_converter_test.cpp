#include "physics/dcdc_converter.hpp"

#include <gtest/gtest.h>

namespace wattshare {
namespace {

TEST(DcdcConverter, ModeCodesAndNamesAreApis) {
  EXPECT_EQ(mode_code(DcdcMode::kVoltageReference), "0x0014");
  EXPECT_EQ(mode_name(DcdcMode::kVoltageReference), "Grid Autonomy");
  EXPECT_EQ(mode_name(DcdcMode::kCharge), "Heteronomy CV");
  EXPECT_EQ(mode_name(DcdcMode::kDischarge), "Heteronomy CV");
  EXPECT_EQ(mode_name(DcdcMode::kWait), "Waiting");
  DcdcMode m;
  EXPECT_TRUE(parse_mode_code("0x0041", m));
  EXPECT_EQ(m, DcdcMode::kCharge);
  EXPECT_TRUE(parse_mode_code("0X0002", m));
  EXPECT_EQ(m, DcdcMode::kDischarge);
  for (const char* bad : {"0x9999", "0x01", "", "0x", "zz", "0x00140"})
    EXPECT_FALSE(parse_mode_code(bad, m)) << bad;
}

TEST(DcdcConverter, WaitIsAnOpenPortWithIdleLoss) {
  DcdcConverter c{DcdcParams{}};
  EXPECT_FALSE(c.port().active);
  EXPECT_DOUBLE_EQ(c.loss_w(0), 4.5);
}

TEST(DcdcConverter, VoltageReferenceSoftStartsAtItsRampRate) {
  DcdcParams p;
  p.voltage_ramp_v_per_s = 25;
  DcdcConverter c{p};
  c.note_bus_voltage(0);
  c.command(DcdcMode::kVoltageReference, 350, 2.3, 0);
  EXPECT_NEAR(c.ramp_remaining_s(), 14, 1e-9);
  c.advance(4, 0, 0, 50);
  EXPECT_NEAR(c.port().e_v, 100, 1e-9);
  EXPECT_DOUBLE_EQ(c.port().hi_a, 2.3);
  EXPECT_DOUBLE_EQ(c.port().lo_a, -2.3);
  c.advance(20, 100, 0, 50);
  EXPECT_NEAR(c.port().e_v, 350, 1e-9);
  EXPECT_FALSE(c.ramping());
  // Once running, set-point changes (authorization steps, optimisation) slew fast.
  c.command(DcdcMode::kVoltageReference, 330, 2.3, 0);
  EXPECT_NEAR(c.ramp_remaining_s(), 20.0 / 500, 1e-9);
}

TEST(DcdcConverter, DroopResistanceDropsTheVoltageByDrgAtFullCurrent) {
  DcdcConverter c{DcdcParams{}};
  c.note_bus_voltage(350);
  c.command(DcdcMode::kVoltageReference, 350, 2.0, 0.04);
  const PortModel port = c.port();
  EXPECT_NEAR(port.r_ohm, 0.04 * 350 / 2.0, 1e-9);
  // At full output current the terminal voltage is 4 % below the reference.
  EXPECT_NEAR(port.e_v - port.r_ohm * 2.0, 350 * 0.96, 1e-9);
}

TEST(DcdcConverter, CcModesRampTheirCurrentAndLimitToRatedPower) {
  DcdcParams p;
  p.current_ramp_a_per_s = 2;  // slower than the default, to see the ramp
  DcdcConverter c{p};
  c.command(DcdcMode::kDischarge, 380, 3, 0);
  EXPECT_DOUBLE_EQ(c.port().hi_a, 0);  // starts from zero current
  c.advance(1, 350, 0, 50);
  EXPECT_DOUBLE_EQ(c.port().hi_a, 2);
  c.advance(1, 350, -2, 50);
  EXPECT_DOUBLE_EQ(c.port().hi_a, 3);
  EXPECT_DOUBLE_EQ(c.port().e_v, 380);  // voltage ceiling at dvg

  DcdcConverter charger{p};
  charger.command(DcdcMode::kCharge, 350, 7.5, 0);
  charger.advance(10, 350, 0, 50);
  EXPECT_NEAR(charger.port().lo_a, -2500.0 / 350, 1e-9);  // 2.5 kW at 350 V
  EXPECT_EQ(charger.alarm_level(), AlarmLevel::kLight);
  EXPECT_TRUE(charger.alarm_bits() & alarm_bit::kCurrentLimited);
}

TEST(DcdcConverter, LossGrowsWithPowerAndWarmsTheConverter) {
  DcdcConverter c{DcdcParams{}};
  c.command(DcdcMode::kCharge, 350, 2, 0);
  EXPECT_NEAR(c.loss_w(700), 50 + 3e-5 * 700 * 700, 1e-9);
  const DcdcMeasurement m = c.measure(350, 2, 50);
  EXPECT_NEAR(m.wg_w, 700, 1e-9);
  EXPECT_NEAR(m.wb_w, 700 - c.loss_w(700), 1e-9);
  EXPECT_NEAR(m.ib_a, m.wb_w / 50, 1e-12);
  for (int i = 0; i < 10; ++i) c.advance(600, 350, 2, 50);
  EXPECT_NEAR(c.temperature_c(), 25 + 0.12 * c.loss_w(700), 0.01);
}

TEST(DcdcConverter, HeavyAlarmsTripTheOutputUntilTheNextCommand) {
  DcdcConverter c{DcdcParams{}};
  c.command(DcdcMode::kDischarge, 380, 2, 0);
  c.advance(1, 350, -2, 38.0);  // battery below ubv 40 V
  EXPECT_EQ(c.alarm_level(), AlarmLevel::kHeavy);
  EXPECT_FALSE(c.port().active);
  c.command(DcdcMode::kWait, 350, 0, 0);
  EXPECT_EQ(c.alarm_level(), AlarmLevel::kNone);

  DcdcConverter over{DcdcParams{}};
  over.command(DcdcMode::kVoltageReference, 350, 2, 0);
  over.advance(1, 410, 0, 50);  // bus above ogv 400 V
  EXPECT_TRUE(over.alarm_bits() & alarm_bit::kGridOverVoltage);
  EXPECT_DOUBLE_EQ(over.loss_w(0), 4.5);
}

}  // namespace
}  // namespace wattshare
