#include "physics/dc_bus.hpp"

#include <gtest/gtest.h>

namespace wattshare {
namespace {

constexpr double kBleed = 1e-6;

PortModel cv(double v, double limit, double r = 0.05) { return {true, v, r, -limit, limit}; }
PortModel cc_out(double dig, double ceiling = 380) { return {true, ceiling, 0.05, 0, dig}; }
PortModel cc_in(double dig, double uvlo = 300) { return {true, uvlo, 0.05, -dig, 0}; }

// Junction 0 and n units, each on its own line of resistance r.
DcBus star(int n, double r) {
  std::vector<BusNode> nodes{{-1, 0, 0}};
  for (int i = 0; i < n; ++i) nodes.push_back({0, r, kBleed});
  return DcBus{nodes};
}

double sum_power_into_bus(const DcBus& bus) {
  double p = 0;
  for (std::size_t i = 0; i < bus.size(); ++i) p += bus.voltage_v(i) * bus.injection_a(i);
  return p;
}

TEST(DcBus, VoltageReferenceBalancesTheCcUnitsAcrossLineDrops) {
  DcBus bus = star(3, 0.5);
  bus.set_port(1, cv(350, 2.3));
  bus.set_port(2, cc_out(1.0));
  bus.set_port(3, cc_in(2.0));
  bus.solve();
  EXPECT_NEAR(bus.injection_a(2), 1.0, 1e-9);
  EXPECT_NEAR(bus.injection_a(3), -2.0, 1e-9);
  // The VR supplies the rest plus the bleed of three nodes (3 x 1 uS x 350 V).
  EXPECT_NEAR(bus.injection_a(1), 1.0 + 3 * kBleed * 350, 1e-5);
  // Line drops: the charger sits 1 V below the junction, the discharger 0.5 V above.
  EXPECT_NEAR(bus.voltage_v(0) - bus.voltage_v(3), 2.0 * 0.5, 1e-3);
  EXPECT_NEAR(bus.voltage_v(2) - bus.voltage_v(0), 1.0 * 0.5, 1e-3);
  EXPECT_LT(bus.max_residual_a(), 1e-9);
  EXPECT_NEAR(sum_power_into_bus(bus), bus.loss_w(), 1e-6);
  EXPECT_NEAR(bus.loss_w(), 0.5 * (1 + 1 + 4) + 3 * kBleed * 350 * 350, 0.01);
}

TEST(DcBus, DroopSharesCurrentBetweenTwoVoltageReferences) {
  DcBus bus = star(3, 0.2);
  const double droop_r = 0.039 * 350 / 2.3;
  bus.set_port(1, cv(350, 2.3, droop_r));
  bus.set_port(2, cv(350, 2.3, droop_r));
  bus.set_port(3, cc_in(2.0));
  bus.solve();
  EXPECT_NEAR(bus.injection_a(1), 1.0, 1e-3);
  EXPECT_NEAR(bus.injection_a(2), 1.0, 1e-3);
  // Twice the droop: the shares go inversely to droop plus line resistance.
  bus.set_port(2, cv(350, 2.3, 2 * droop_r));
  bus.solve();
  EXPECT_NEAR(bus.injection_a(1) / bus.injection_a(2), (2 * droop_r + 0.2) / (droop_r + 0.2), 1e-3);
  EXPECT_NEAR(bus.injection_a(1) + bus.injection_a(2), 2.0, 2e-3);
}

TEST(DcBus, StiffReferencesAtDifferentVoltagesSaturateOne) {
  DcBus bus = star(2, 0.3);
  bus.set_port(1, cv(360, 2.3));
  bus.set_port(2, cv(350, 2.3));
  bus.solve();
  EXPECT_NEAR(bus.injection_a(1), 2.3, 1e-9);   // the higher one pushes its limit
  EXPECT_NEAR(bus.injection_a(2), -2.3, 1e-3);  // the lower one absorbs it
  EXPECT_LT(bus.max_residual_a(), 1e-9);
}

TEST(DcBus, WithoutAVoltageReferenceTheBusCollapsesAndChargersGetNothing) {
  DcBus bus = star(2, 0.5);
  bus.set_port(1, cc_in(2.0));
  bus.solve();
  EXPECT_NEAR(bus.voltage_v(1), 0, 1e-6);
  EXPECT_NEAR(bus.injection_a(1), 0, 1e-6);
}

TEST(DcBus, ADischargerAloneCanOnlyRaiseTheVoltageToItsCeiling) {
  DcBus bus = star(2, 0.5);
  bus.set_port(1, cc_out(2.0, 380));
  bus.solve();
  EXPECT_NEAR(bus.voltage_v(1), 380, 0.01);
  EXPECT_LT(bus.injection_a(1), 1e-3);  // only the bleed current flows
  // With a charger but no reference, the charger takes what it asks and the discharger
  // delivers only that, held at its voltage ceiling.
  bus.set_port(2, cc_in(1.0));
  bus.solve();
  EXPECT_NEAR(bus.injection_a(2), -1.0, 1e-9);
  EXPECT_NEAR(bus.injection_a(1), 1.0, 1e-3);
  EXPECT_NEAR(bus.voltage_v(1), 380, 0.1);
}

TEST(DcBus, AnOverloadedReferenceSagsUntilChargersReachUnderVoltage) {
  DcBus bus = star(3, 0.5);
  bus.set_port(1, cv(350, 2.3));
  bus.set_port(2, cc_in(2.0));
  bus.set_port(3, cc_in(2.0));
  bus.solve();
  EXPECT_NEAR(bus.injection_a(1), 2.3, 1e-9);
  EXPECT_NEAR(bus.injection_a(2) + bus.injection_a(3), -2.3, 1e-3);
  EXPECT_LT(bus.voltage_v(2), 301);  // held at the chargers' under-voltage limit
  EXPECT_GT(bus.voltage_v(2), 299);
}

TEST(DcBus, LinearFeederSolvesWithManyNodes) {
  std::vector<BusNode> nodes{{-1, 0, 0}};
  for (int i = 0; i < 200; ++i) nodes.push_back({i, 0.1, kBleed});
  DcBus bus{nodes};
  bus.set_port(1, cv(350, 100));
  for (std::size_t i = 2; i < bus.size(); ++i) bus.set_port(i, i % 2 ? cc_in(0.5) : cc_out(0.4));
  bus.solve();
  EXPECT_LT(bus.max_residual_a(), 1e-8);
  EXPECT_NEAR(sum_power_into_bus(bus), bus.loss_w(), 1e-6);
  EXPECT_LT(bus.voltage_v(200), bus.voltage_v(1));
}

}  // namespace
}  // namespace wattshare
