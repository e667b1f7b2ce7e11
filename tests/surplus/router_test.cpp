// The surplus router cycle by cycle in virtual time: the surplus arithmetic, the EV's enable and
// disable delays and whole-ampere steps, the dimmer taking the rest and its temperature cut-off,
// modes and windows, the relay's minimum times, the safe state on a silent or nonsense meter; and
// a simulated month whose energy balances.
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "surplus/house_sim.hpp"

namespace wattshare::surplus {
namespace {

const TimePoint kNoonJst = from_civil(2021, 6, 2) + hours(3);  // a Wednesday, 12:00 in Okinawa

Schedule windows(std::initializer_list<Schedule::Entry> entries) {
  Schedule s;
  for (const auto& e : entries) s.entries[s.count++] = e;
  return s;
}

RouterSettings with_dimmer() {
  RouterSettings s;
  s.dimmer.rated_w = 2000;
  return s;
}

Inputs at(Duration since_noon, std::optional<double> export_w, double ev_a = 0, double dimmer_w = 0) {
  Inputs in;
  in.time = kNoonJst + since_noon;
  in.grid_export_w = export_w;
  in.ev_connected = true;
  in.ev_actual_a = ev_a;
  in.dimmer_power_w = dimmer_w;
  in.water_temperature_c = 50;
  return in;
}

TEST(Router, SurplusIsExportPlusWhatOurLoadsDrawMinusTheReserve) {
  Router r{with_dimmer()};
  const Outputs o = r.step(at(seconds(0), 3000, 8, 500));
  EXPECT_DOUBLE_EQ(o.surplus_w, 3000 + 8 * 690 + 500 - 50);
  EXPECT_FALSE(o.safe_state);
}

TEST(Router, TheEvStartsAfterItsDelayInWholeAmperesAndTheDimmerTakesTheRest) {
  Router r{with_dimmer()};
  // 5050 W of export: 5000 W after the reserve → 7 A (4830 W) once enabled.
  Outputs o = r.step(at(seconds(0), 5050));
  EXPECT_EQ(o.ev_amps, 0);  // not yet: the enable delay
  EXPECT_DOUBLE_EQ(o.dimmer_pct, 100);  // meanwhile the heater takes it (2000 W of 5000)
  o = r.step(at(seconds(30), 5050));
  EXPECT_EQ(o.ev_amps, 0);
  o = r.step(at(seconds(60), 5050));
  EXPECT_EQ(o.ev_amps, 7);
  EXPECT_NEAR(o.dimmer_pct, (5000.0 - 7 * 690) / 2000 * 100, 1e-9);  // 8.5 %
  // The car now draws 7 A: the meter shows less export, the surplus stays the same.
  o = r.step(at(seconds(90), 5050 - 7 * 690 - 170, 7, 170));
  EXPECT_EQ(o.ev_amps, 7);
  EXPECT_NEAR(o.dimmer_pct, 8.5, 1e-9);
}

// A charger with no car known (a TWC in 00) is offered current to find out, as TWCManager does;
// the loads after it keep what the car does not draw.
TEST(Router, AChargerWithNoCarKnownIsOfferedCurrentAndTheDimmerKeepsWhatItDoesNotDraw) {
  Router r{with_dimmer()};
  Inputs in = at(seconds(0), 5050);
  in.ev_connected = false;
  in.ev_probe = true;
  r.step(in);
  in.time += seconds(60);
  Outputs o = r.step(in);
  EXPECT_EQ(o.ev_amps, 7);               // offered, after the enable delay
  EXPECT_DOUBLE_EQ(o.dimmer_pct, 100);   // nothing drawn by the EV: the heater takes 2000 W
  in.ev_probe = false;                   // no charger that might have a car
  EXPECT_EQ(r.step(in).ev_amps, 0);
}

// A house whose grid meter is `lag` cycles late (1 s cycles): PV, a house load the test steps,
// the dimmer's draw as commanded one cycle before.
struct LateMeterHouse {
  int lag = 1;
  double pv_w = 6000, house_w = 500, dimmer_w = 0;
  std::vector<double> exports;
  Inputs reading(TimePoint t) {
    exports.push_back(pv_w - house_w - dimmer_w);
    Inputs in;
    in.time = t;
    in.grid_export_w = exports[exports.size() - 1 - std::min<std::size_t>(lag, exports.size() - 1)];
    in.dimmer_power_w = dimmer_w;
    in.water_temperature_c = 50;
    return in;
  }
};

struct Settling {
  int changes = 0;            // dimmer set-point changes in the last 20 cycles
  double worst_export_w = 0;  // the export furthest from the reserve in them
};

// 30 cycles after a step of the house load: how the last 20 look.
Settling run_step(Router& r, LateMeterHouse& h, TimePoint& t, double step_w, double reserve_w) {
  h.house_w += step_w;
  Settling out;
  double last = h.dimmer_w;
  for (int cycle = 0; cycle < 30; ++cycle, t += seconds(1)) {
    const Outputs o = r.step(h.reading(t));
    h.dimmer_w = o.dimmer_pct / 100.0 * 6000;
    if (cycle >= 10) {
      out.changes += h.dimmer_w != last;
      const double exported = h.pv_w - h.house_w - h.dimmer_w;
      out.worst_export_w = std::max(out.worst_export_w, std::abs(exported - reserve_w));
    }
    last = h.dimmer_w;
  }
  return out;
}

// With the meter one or two cycles late, ±3 kW steps of the house load settle within 10 cycles
// and stay (no limit cycle), within the dead band of the reserve. The same house without the
// hold and the dead band swings for ever: the test would see it.
TEST(Router, WithAMeterOneOrTwoCyclesLateLoadStepsSettleWithinTenCycles) {
  for (const int lag : {1, 2}) {
    RouterSettings s;
    s.dimmer.rated_w = 6000;
    LateMeterHouse h{.lag = lag};
    Router r{s};
    TimePoint t = kNoonJst;
    run_step(r, h, t, 0, s.reserve_w);  // settle first
    for (const double step : {3000.0, -3000.0, 3000.0}) {
      const Settling after = run_step(r, h, t, step, s.reserve_w);
      EXPECT_EQ(after.changes, 0) << "lag " << lag << ", step " << step;
      EXPECT_LE(after.worst_export_w, s.dead_band_w + 1e-6) << "lag " << lag << ", step " << step;
    }
    RouterSettings eager = s;
    eager.settle = Duration::zero();
    eager.dead_band_w = 0;
    Router swinging{eager};
    LateMeterHouse h2{.lag = lag};
    TimePoint t2 = kNoonJst;
    run_step(swinging, h2, t2, 0, s.reserve_w);
    EXPECT_GT(run_step(swinging, h2, t2, 3000, s.reserve_w).changes, 10) << "lag " << lag;
  }
}

// EvSettings::step: once charging, the car's current changes at most every 10 s however the
// surplus moves (a car takes seconds to follow, the meter shows it later still).
TEST(Router, AChargingCarsCurrentChangesAtMostEveryStep) {
  Router r{RouterSettings{}};
  r.step(at(seconds(0), 6000));
  ASSERT_EQ(r.step(at(seconds(60), 6000)).ev_amps, 8);
  int changes = 0;
  double last = 8;
  std::optional<TimePoint> last_change;
  for (int s = 61; s < 121; ++s) {
    // The surplus (export + the car's 8 A − the 50 W reserve) wanders between 9 and 12 A worth.
    const double amps = r.step(at(seconds(s), (1 + s % 4) * 690 + 50, 8)).ev_amps;
    if (amps == last) continue;
    if (last_change) {
      EXPECT_GE(kNoonJst + seconds(s) - *last_change, seconds(10)) << s;
    }
    last_change = kNoonJst + seconds(s);
    last = amps;
    ++changes;
  }
  EXPECT_GE(changes, 3);  // it still follows
}

TEST(Router, TheEvHoldsItsMinimumThroughTheDisableDelayThenStops) {
  Router r{RouterSettings{}};
  r.step(at(seconds(0), 6000));
  ASSERT_EQ(r.step(at(seconds(60), 6000)).ev_amps, 8);
  // A cloud: only 2000 W of surplus while charging 8 A.
  EXPECT_EQ(r.step(at(seconds(70), 2000 - 8 * 690, 8)).ev_amps, 6);
  EXPECT_EQ(r.step(at(seconds(70 + 179), 2000 - 6 * 690, 6)).ev_amps, 6);
  EXPECT_EQ(r.step(at(seconds(70 + 180), 2000 - 6 * 690, 6)).ev_amps, 0);
  // It needs the full enable delay again.
  EXPECT_EQ(r.step(at(seconds(300), 6000)).ev_amps, 0);
  EXPECT_EQ(r.step(at(seconds(360), 6000)).ev_amps, 8);
  // Never above the maximum; nothing for a car that is not there.
  EXPECT_EQ(r.step(at(seconds(400), 20000)).ev_amps, 16);
  Inputs gone = at(seconds(460), 20000);
  gone.ev_connected = false;
  EXPECT_EQ(r.step(gone).ev_amps, 0);
}

TEST(Router, ModesAndWindows) {
  RouterSettings s = with_dimmer();
  s.ev.mode = Mode::kBoost;
  s.dimmer.mode = Mode::kOff;
  Router boost{s};
  Outputs o = boost.step(at(seconds(0), -3000));  // importing: boost charges anyway
  EXPECT_EQ(o.ev_amps, 16);
  EXPECT_EQ(o.dimmer_pct, 0);

  s.ev.mode = Mode::kScheduled;  // 16 A from 21:00 to 07:00 on weekdays
  s.ev.schedule = windows({{Window{21 * 60, 7 * 60, 0x1F}, 16}});
  Router sched{s};
  EXPECT_EQ(sched.step(at(hours(0), 5000)).ev_amps, 0);          // Wednesday noon
  EXPECT_EQ(sched.step(at(hours(9), 0)).ev_amps, 16);            // Wednesday 21:00
  EXPECT_EQ(sched.step(at(hours(18) + minutes(59), 0)).ev_amps, 16);  // Thursday 06:59
  EXPECT_EQ(sched.step(at(hours(19), 0)).ev_amps, 0);            // Thursday 07:00
  EXPECT_EQ(sched.step(at(hours(3 * 24 + 10), 0)).ev_amps, 0);   // Saturday 22:00: not chosen
  EXPECT_EQ(sched.step(at(hours(2 * 24 + 19) - minutes(1), 0)).ev_amps, 16);  // Saturday 06:59, after Friday
  EXPECT_EQ(parse_mode("boost"), Mode::kBoost);
  EXPECT_FALSE(parse_mode("turbo"));
}

// Seed 003's Eco: "16 A from 21:00 to 07:00, otherwise follow the solar surplus" — a schedule
// window on top of eco; minpv keeps the car's minimum always; evcc's names pv and now.
TEST(Router, ModesCombineWithAScheduleWindow) {
  RouterSettings s = with_dimmer();
  s.ev.mode = Mode::kEco;
  s.ev.schedule = windows({{Window{21 * 60, 7 * 60, 0x7F}, 16}});
  Router eco{s};
  EXPECT_EQ(eco.step(at(hours(9), -500)).ev_amps, 16);             // Wednesday 21:00, importing
  EXPECT_EQ(eco.step(at(hours(19), -500)).ev_amps, 0);             // Thursday 07:00: the surplus only
  eco.step(at(hours(24), 5050));                                   // Thursday noon, 5 kW of export
  EXPECT_EQ(eco.step(at(hours(24) + seconds(60), 5050)).ev_amps, 7);  // after the enable delay
  // Without a schedule in the file, no night charging.
  s.ev.schedule = {};
  Router plain{s};
  EXPECT_EQ(plain.step(at(hours(9), -500)).ev_amps, 0);

  RouterSettings m = with_dimmer();
  m.ev.mode = Mode::kMinPv;
  Router minpv{m};
  EXPECT_EQ(minpv.step(at(seconds(0), -2000)).ev_amps, 6);  // importing: the minimum anyway
  Outputs o = minpv.step(at(seconds(60), 10000));
  EXPECT_GE(o.ev_amps, 6);
  EXPECT_EQ(minpv.step(at(seconds(120), 10000)).ev_amps, 14);  // (10000 − 50) / 690, whole amperes
  EXPECT_EQ(parse_mode("pv"), Mode::kEco);
  EXPECT_EQ(parse_mode("now"), Mode::kBoost);
  EXPECT_EQ(parse_mode("minpv"), Mode::kMinPv);
  // A dimmer schedule heats inside its window whatever the surplus.
  RouterSettings d = with_dimmer();
  d.dimmer.schedule = windows({{Window{2 * 60, 5 * 60, 0x7F}}});
  Router heater{d};
  Inputs night = at(hours(14) + minutes(30), -300);  // 02:30, importing
  night.ev_connected = false;
  EXPECT_EQ(heater.step(night).dimmer_pct, 100);
}

// Several windows per load (issue 20 item 4): weekday nights at 16 A and weekend middays at 8 A;
// where two overlap, the larger set-point.
TEST(Router, SeveralScheduleWindowsAddTheirOwnCurrents) {
  RouterSettings s;
  s.ev.schedule = windows({{Window{21 * 60, 7 * 60, 0x1F}, 16}, {Window{10 * 60, 16 * 60, 0x60}, 8},
                           {Window{11 * 60, 12 * 60, 0x40}, 12}});
  auto amps = [&](Duration since_wednesday_noon) {
    Router r{s};
    return r.step(at(since_wednesday_noon, -500)).ev_amps;
  };
  EXPECT_EQ(amps(hours(9)), 16);                    // Wednesday 21:00
  EXPECT_EQ(amps(hours(3 * 24 - 1)), 8);            // Saturday 11:00
  EXPECT_EQ(amps(hours(4 * 24 - 1) + minutes(30)), 12);  // Sunday 11:30: both weekend windows, the larger
  EXPECT_EQ(amps(hours(4 * 24 + 4)), 0);            // Sunday 16:00
  EXPECT_EQ(amps(hours(1)), 0);                     // Wednesday 13:00
}

TEST(Router, TheDimmerStopsAtItsMaximumTemperatureWithHysteresis) {
  Router r{with_dimmer()};
  Inputs in = at(seconds(0), 1500);
  in.water_temperature_c = 65;
  EXPECT_EQ(r.step(in).dimmer_pct, 0);
  in.water_temperature_c = 62;  // still above the restart temperature
  EXPECT_EQ(r.step(in).dimmer_pct, 0);
  in.water_temperature_c = 60;
  EXPECT_NEAR(r.step(in).dimmer_pct, 1450.0 / 2000 * 100, 1e-9);
}

TEST(Router, TheRelayKeepsItsMinimumOnAndOffTimes) {
  RouterSettings s;
  s.relay.rated_w = 1000;
  Router r{s};
  Inputs in = at(seconds(0), 1200);
  in.ev_connected = false;
  EXPECT_TRUE(r.step(in).relay_on);
  in.time += minutes(1);
  in.grid_export_w = -500;  // now importing (the relay draws 1000 W)
  in.relay_on = true;
  EXPECT_TRUE(r.step(in).relay_on);  // minimum on-time: 5 min
  in.time = kNoonJst + minutes(5);
  EXPECT_FALSE(r.step(in).relay_on);
  in.relay_on = false;
  in.grid_export_w = 1500;
  in.time += minutes(1);
  EXPECT_FALSE(r.step(in).relay_on);  // minimum off-time
  in.time = kNoonJst + minutes(10);
  EXPECT_TRUE(r.step(in).relay_on);
}

TEST(Router, ASilentOrNonsenseMeterLeadsToTheSafeStateAndBack) {
  RouterSettings s = with_dimmer();
  s.ev.safe_a = 6;
  Router r{s};
  r.step(at(seconds(0), 6000));
  ASSERT_EQ(r.step(at(seconds(60), 6000)).ev_amps, 8);
  // Unreachable: the last value is kept for 30 s…
  Outputs o = r.step(at(seconds(80), std::nullopt, 8));
  EXPECT_FALSE(o.safe_state);
  EXPECT_EQ(o.ev_amps, 8);
  o = r.step(at(seconds(89), std::nan(""), 8));  // nonsense counts as silence
  EXPECT_FALSE(o.safe_state);
  // …then the safe state.
  o = r.step(at(seconds(91), std::nullopt, 8, 400));
  EXPECT_TRUE(o.safe_state);
  EXPECT_EQ(o.ev_amps, 6);
  EXPECT_EQ(o.dimmer_pct, 0);
  EXPECT_FALSE(o.relay_on);
  EXPECT_TRUE(r.step(at(seconds(120), 1e12, 6)).safe_state);  // absurd: not trusted either
  // Good readings again: back to routing, with the EV's enable delay from scratch.
  o = r.step(at(seconds(150), 6000 - 6 * 690, 6));
  EXPECT_FALSE(o.safe_state);
  EXPECT_EQ(o.ev_amps, 0);
  EXPECT_EQ(r.step(at(seconds(210), 6000)).ev_amps, 8);
}

// evcc's battery priority (site.go sitePower: below prioritySoc a charging battery is not
// surplus; bufferSoc lets the loads run from it): issue 20 item 3.
TEST(Router, TheHomeBatteryChargesFirstBelowItsPrioritySocAndTheLoadsNeverDrainIt) {
  RouterSettings s = with_dimmer();
  s.battery.priority_soc = 50;
  Router r{s};
  auto battery = [](Duration t, double export_w, double dimmer_w, double battery_w, double soc) {
    Inputs in = at(t, export_w, 0, dimmer_w);
    in.ev_connected = false;
    in.battery_w = battery_w;
    in.battery_soc_pct = soc;
    return in;
  };
  // 3 kW into a battery at 30 %: all of it is the battery's.
  Outputs o = r.step(battery(seconds(0), 0, 0, 3000, 30));
  EXPECT_DOUBLE_EQ(o.surplus_w, -50);
  EXPECT_EQ(o.dimmer_pct, 0);
  // At 70 % the heater may take what the battery would have charged.
  o = r.step(battery(seconds(10), 0, 0, 3000, 70));
  EXPECT_DOUBLE_EQ(o.surplus_w, 2950);
  EXPECT_EQ(o.dimmer_pct, 100);
  // The battery discharges 1.5 kW while the heater draws 2 kW: that is import, the heater backs off.
  o = r.step(battery(seconds(20), 0, 2000, -1500, 70));
  EXPECT_DOUBLE_EQ(o.surplus_w, 450);
  EXPECT_NEAR(o.dimmer_pct, 22.5, 0.01);
  // Above a buffer SoC the loads may run from the battery.
  s.battery.buffer_soc = 60;
  Router buffered{s};
  o = buffered.step(battery(seconds(0), 0, 2000, -1500, 70));
  EXPECT_DOUBLE_EQ(o.surplus_w, 1950);
  // No battery reading: the meter alone, as before.
  EXPECT_DOUBLE_EQ(Router{s}.step(at(seconds(0), 1000)).surplus_w, 950);
}

// A 1-phase car on a 3-phase charger draws 230 W per ampere, not 690 (issue 20: the configured
// phases doubled its apparent surplus); a charger that reports its phases says so.
TEST(Router, ACarsPowerCountsTheCurrentOnThePhasesItDraws) {
  Router r{with_dimmer()};
  Inputs in = at(seconds(0), 1000, 10);
  in.ev_phases = 1;
  EXPECT_DOUBLE_EQ(r.step(in).surplus_w, 1000 + 10 * 230 - 50);
  in.ev_phases = 3;
  EXPECT_DOUBLE_EQ(r.step(in).surplus_w, 1000 + 10 * 690 - 50);
  in.ev_phases = 7;  // nonsense: the configured phases
  EXPECT_DOUBLE_EQ(r.step(in).surplus_w, 1000 + 10 * 690 - 50);
}

// Seed 003's "16 A from 21:00" in Paris: 19:30 UTC is 21:30 in summer (CEST) but 20:30 in
// winter (CET); a fixed offset would run an hour late all summer.
TEST(Router, ScheduleWindowsFollowTheZonesSummerTime) {
  RouterSettings s;
  s.zone = *TimeZone::locate("Europe/Paris");
  s.ev.schedule = windows({{Window{.from_min = 21 * 60, .to_min = 7 * 60}, 16}});
  auto night = [&](TimePoint t) {
    Router r{s};
    Inputs in;
    in.time = t;
    in.grid_export_w = -500;
    in.ev_connected = true;
    return r.step(in).ev_amps;
  };
  EXPECT_EQ(night(from_civil(2026, 7, 15) + hours(19) + minutes(30)), 16);
  EXPECT_EQ(night(from_civil(2026, 1, 15) + hours(19) + minutes(30)), 0);
  EXPECT_EQ(night(from_civil(2026, 1, 15) + hours(20) + minutes(30)), 16);
}

TEST(HouseSim, AHomeBatteryBalancesItsEnergyAndRaisesSelfConsumption) {
  HouseSimSettings s;
  s.days = 30;
  s.start = from_civil(2021, 6, 1) - hours(9);
  const HouseSimResult without = simulate_house(s);
  s.battery_kwh = 10;
  const HouseSimResult with = simulate_house(s);
  EXPECT_NEAR(with.pv_wh + with.import_wh + with.battery_discharge_wh,
              with.house_wh + with.ev_wh + with.heater_wh + with.export_wh + with.battery_charge_wh, 1e-6 * with.pv_wh);
  // What goes in comes out, less 5 % each way, give or take the half-full start and end.
  EXPECT_NEAR(with.battery_discharge_wh, with.battery_charge_wh * 0.95 * 0.95, 10000 * 0.95);
  EXPECT_GT(with.battery_charge_wh, 30 * 3000.0);
  EXPECT_GT(with.self_consumption, without.self_consumption + 0.1);
  EXPECT_LT(with.import_wh, without.import_wh * 0.7);
}

TEST(HouseSim, AMonthBalancesItsEnergyAndRoutingBeatsTheSeedsMethod) {
  HouseSimSettings s;
  s.days = 30;
  s.start = from_civil(2021, 6, 1) - hours(9);
  const HouseSimResult ours = simulate_house(s);
  EXPECT_NEAR(ours.pv_wh + ours.import_wh, ours.house_wh + ours.ev_wh + ours.heater_wh + ours.export_wh,
              1e-6 * ours.pv_wh);
  EXPECT_EQ(ours.router_steps, 30u * 1440u);
  s.seed_method = true;
  const HouseSimResult seed = simulate_house(s);
  EXPECT_GT(ours.self_consumption, seed.self_consumption + 0.05);
  EXPECT_GT(ours.heater_solar_wh, seed.heater_solar_wh);
  EXPECT_GT(ours.ev_solar_share, 0.1);
  EXPECT_DOUBLE_EQ(simulate_house(s).import_wh, seed.import_wh);  // deterministic
}

}  // namespace
}  // namespace wattshare::surplus
