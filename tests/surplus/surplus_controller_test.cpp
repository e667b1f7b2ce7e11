#include "surplus/surplus_controller.hpp"

#include <gtest/gtest.h>

#include "surplus/emulated_site.hpp"

namespace wattshare::surplus {
namespace {

// A sunny Saturday noon in May in Okinawa (local 12:00 = 03:00 UTC).
const TimePoint kNoon = from_civil(2021, 5, 22) + hours(3);

SurplusConfig emulated_config() {
  auto c = load_surplus_config(WATTSHARE_SOURCE_DIR "/examples/surplus/emulated.json");
  EXPECT_TRUE(c);
  c->site.acceleration = 1;
  c->site.start = kNoon;
  return *c;
}

struct Wall {
  TimePoint t = from_civil(2030, 1, 1);
  std::function<TimePoint()> clock() {
    return [this] { return t; };
  }
};

TEST(SurplusController, EmulatedNoonStartsTheCarThenTheDimmerTakesTheRest) {
  Wall wall;
  const SurplusConfig cfg = emulated_config();
  SurplusController c{cfg, std::make_unique<EmulatedSite>(cfg.site, cfg.dimmer, wall.clock())};
  // The relay went on in the first minute, while the car waited for its enable delay; it must
  // then stay on for its 5 minutes even though the car took its share.
  for (int i = 0; i < 420; ++i) {
    c.cycle();
    if (i == 240) {
      EXPECT_TRUE(c.outputs().relay_on);
      EXPECT_LT(*c.reading().grid_export_w, -500);
    }
    wall.t += seconds(1);
  }
  const Json s = c.status();
  EXPECT_EQ(s["time"], "2021/05/22-12:06:59");
  EXPECT_TRUE(s["meter_ok"].get<bool>());
  EXPECT_FALSE(s["safe_state"].get<bool>());
  EXPECT_TRUE(s["ev"]["connected"].get<bool>());  // Saturday: at home
  EXPECT_GE(s["ev"]["command_a"].get<double>(), 6);
  EXPECT_NEAR(s["pulling_amps"].get<double>(), s["ev"]["command_a"].get<double>(), 1e-9);
  EXPECT_GT(s["dimmer"]["power_w"].get<double>(), 0);
  EXPECT_EQ(s["dimmer"]["output"], "burst_fire");
  // What is left is exported: the reserve, give or take what moved in the last second.
  EXPECT_NEAR(s["grid_export_w"].get<double>(), cfg.router.reserve_w, 150);
  EXPECT_NEAR(s["surplus_w"].get<double>(),
              s["grid_export_w"].get<double>() + s["ev"]["power_w"].get<double>() + s["dimmer"]["power_w"].get<double>() +
                  s["relay"]["power_w"].get<double>() - cfg.router.reserve_w,
              250);  // the last second's loads, not this one's
  EXPECT_NEAR(s["available_amps"].get<double>(), s["surplus_w"].get<double>() / 690, 0.01);
  EXPECT_EQ(c.cycles(), 420u);
  EXPECT_FALSE(s["relay"]["on"].get<bool>());
}

// A 1-phase car on a charger configured for 3 phases (issue 20: its power was taken as amps ×
// 690 W, doubling its apparent surplus). The emulated charger reports the phases the car uses,
// as chargers with per-phase meters do; the router counts 230 W per ampere and gives it more amps.
TEST(SurplusController, AOnePhaseCarIsCountedOnItsOnePhase) {
  Wall wall;
  SurplusConfig cfg = emulated_config();
  cfg.site.car_phases = 1;
  cfg.site.house.ev_w_per_a = 230;
  cfg.router.dimmer.rated_w = 0;
  cfg.router.relay.rated_w = 0;
  SurplusController c{cfg, std::make_unique<EmulatedSite>(cfg.site, cfg.dimmer, wall.clock())};
  for (int i = 0; i < 240; ++i) {
    c.cycle();
    wall.t += seconds(1);
  }
  const Json s = c.status();
  EXPECT_EQ(s["ev"]["phases"], 1);
  const double amps = s["ev"]["actual_a"];
  EXPECT_EQ(amps, 16);  // 3.7 kW on its one phase: its maximum, from a surplus that 690 W/A would have cut to a few amps
  EXPECT_NEAR(s["ev"]["power_w"].get<double>(), amps * 230, 1);
  EXPECT_GT(*c.reading().grid_export_w, 0);  // the rest still exported: its 230 W per ampere was counted
}

TEST(SurplusController, TimedBoostFallsBackToTheConfiguredMode) {
  Wall wall;
  const SurplusConfig cfg = emulated_config();
  SurplusController c{cfg, std::make_unique<EmulatedSite>(cfg.site, cfg.dimmer, wall.clock())};
  c.cycle();
  ASSERT_TRUE(c.set_mode(std::nullopt, Mode::kBoost, minutes(10)));
  std::vector<std::string> events;
  for (int i = 0; i < 700; ++i) {
    wall.t += seconds(1);
    for (auto& e : c.cycle()) events.push_back(e);
    if (i == 10) {
      EXPECT_DOUBLE_EQ(c.outputs().ev_amps, 16);
      EXPECT_DOUBLE_EQ(c.outputs().dimmer_pct, 100);
      EXPECT_EQ(c.status()["ev"]["mode"], "boost");
      EXPECT_EQ(c.status()["ev"]["mode_until"], "2021/05/22-12:10:00");
    }
  }
  EXPECT_EQ(events, (std::vector<std::string>{"ev: timed boost mode over, back to eco",
                                              "dimmer: timed boost mode over, back to eco",
                                              "relay: timed boost mode over, back to eco"}));
  EXPECT_EQ(c.mode(Load::kEv), Mode::kEco);
  EXPECT_TRUE(c.status()["ev"]["mode_until"].is_null());
  // Untimed and single-load changes; refusals.
  ASSERT_TRUE(c.set_mode(Load::kEv, Mode::kOff));
  EXPECT_EQ(c.mode(Load::kEv), Mode::kOff);
  EXPECT_EQ(c.mode(Load::kDimmer), Mode::kEco);
  EXPECT_EQ(c.set_mode(Load::kEv, Mode::kBoost, seconds(-5)).error().message, "a timed mode needs a positive duration");
}

TEST(SurplusController, AbsentLoadIsRefused) {
  Wall wall;
  SurplusConfig cfg = emulated_config();
  cfg.router.relay.rated_w = 0;
  SurplusController c{cfg, std::make_unique<EmulatedSite>(cfg.site, cfg.dimmer, wall.clock())};
  EXPECT_EQ(c.set_mode(Load::kRelay, Mode::kBoost).error().message, "this house has no relay");
  EXPECT_EQ(parse_load("dimmer"), Load::kDimmer);
  EXPECT_FALSE(parse_load("sauna"));
}

// A meter that answers as scripted: the router's hold, safe state and recovery as the log reads them.
class ScriptedSite final : public Site {
 public:
  TimePoint t = kNoon;
  std::optional<double> export_w = 6000.0;
  Outputs last;
  TimePoint now() override { return t; }
  std::string kind() const override { return "scripted"; }
  SiteReading read(TimePoint) override {
    SiteReading r;
    r.grid_export_w = export_w;
    if (!export_w) r.meter_error = "Modbus: Connection refused";
    r.ev_connected = true;
    r.ev_actual_a = last.ev_amps;
    return r;
  }
  void apply(TimePoint, const Outputs& out) override { last = out; }
};

TEST(SurplusController, LostMeterHoldsThenSafeStateThenRecovers) {
  SurplusConfig cfg = emulated_config();
  cfg.router.ev.safe_a = 0;
  auto site = std::make_unique<ScriptedSite>();
  ScriptedSite& meter = *site;
  SurplusController c{cfg, std::move(site)};
  std::vector<std::string> events;
  auto run = [&](int n) {
    for (int i = 0; i < n; ++i) {
      for (auto& e : c.cycle()) events.push_back(e);
      meter.t += seconds(1);
    }
  };
  run(90);
  const double running_a = c.outputs().ev_amps;
  EXPECT_GE(running_a, 6);
  meter.export_w.reset();
  run(10);
  EXPECT_DOUBLE_EQ(c.outputs().ev_amps, running_a);  // held
  EXPECT_FALSE(c.outputs().safe_state);
  run(30);
  EXPECT_TRUE(c.outputs().safe_state);
  EXPECT_DOUBLE_EQ(c.outputs().ev_amps, 0);
  EXPECT_DOUBLE_EQ(c.outputs().dimmer_pct, 0);
  EXPECT_FALSE(c.outputs().relay_on);
  EXPECT_EQ(c.status()["meter_failures"], 40);
  meter.export_w = 6000.0;
  run(2);
  EXPECT_FALSE(c.outputs().safe_state);
  EXPECT_EQ(events, (std::vector<std::string>{
                        "meter: no reading (Modbus: Connection refused); holding the last decision",
                        "safe state: no trustworthy meter reading for 30 s; EV at 0 A, dimmer 0 %, relay off",
                        "meter: readings are back", "safe state left: routing the surplus again"}));
  EXPECT_EQ(c.status()["site"], "scripted");
}

}  // namespace
}  // namespace wattshare::surplus
