// An emulated community: every house's PV, load, battery and DC/DC converter, and the DC bus
// that joins the converters, advanced together in time. Set-points are piecewise constant, so
// between commands the bus is solved once and each house's energy flows are integrated per
// minute of PV/load data (finer only while a converter ramps). Every flow and loss is counted:
// totals() balances to rounding.
//   Community c{spec};
//   c.set_dcdc(0, {.mode = DcdcMode::kVoltageReference, .dvg_v = 350, .dig_a = 2.3});
//   c.advance_to(spec.start + hours(1));
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <tl/expected.hpp>

#include "config/community.hpp"
#include "core/error.hpp"
#include "devices/unit_data.hpp"
#include "physics/battery.hpp"
#include "physics/dc_bus.hpp"
#include "physics/dcdc_converter.hpp"
#include "physics/hourly_profile.hpp"
#include "physics/household_load.hpp"
#include "physics/solar.hpp"
#include "devices/emulated/house_profiles.hpp"
#include "physics/ev_model.hpp"
#include "physics/water_heater.hpp"
#include "surplus/router.hpp"

namespace wattshare {

// Energy counters [Wh]. For a unit, bus_in_wh is what its converter drew from the bus (negative
// when it fed the bus) and bus_loss_wh is 0; for the community the bus is internal: bus_in_wh
// is 0 and bus_loss_wh holds the line and bleed losses.
struct EnergyTotals {
  double pv_wh = 0;
  double load_wh = 0;
  double import_wh = 0;
  double export_wh = 0;
  double curtailed_wh = 0;
  double battery_loss_wh = 0;
  double converter_loss_wh = 0;
  double system_loss_wh = 0;
  double bus_loss_wh = 0;
  double bus_in_wh = 0;
  double shared_wh = 0;  // drawn from the bus by charging converters (>= 0)
  double battery_in_wh = 0;  // converter output into the battery (wb > 0), for deal checks
  double battery_net_wh = 0;  // ∫ wb dt: the converter's battery-side energy meter
  double stored_start_wh = 0;
  double stored_now_wh = 0;
  // The flexible loads (issue 18), beside load_wh: what they drew, and of it what came from
  // surplus the house did not have to import for.
  double heater_wh = 0, heater_solar_wh = 0, ev_wh = 0, ev_solar_wh = 0;
  double ev_shortfall_wh = 0;  // cars that left without what they needed

  [[nodiscard]] double losses_wh() const {
    return battery_loss_wh + converter_loss_wh + system_loss_wh + bus_loss_wh;
  }
  // Inflows minus outflows minus the change in storage: zero up to rounding.
  [[nodiscard]] double balance_error_wh() const {
    return pv_wh + import_wh + bus_in_wh - load_wh - heater_wh - ev_wh - export_wh - curtailed_wh - losses_wh() -
           (stored_now_wh - stored_start_wh);
  }
};

// What the houses' flexible loads (a water heater, a car: CommunitySpec) do. kOff: they run on
// the mains as before, the baseline (night heating, charge on arrival). kBatteryFirst: APIS as
// today, then each house's surplus router (surplus::Router, the daemon's) offers them what its
// battery could not take and its panels would curtail or export, as a meter would show it, a
// decision every 10 s; a car still charges from the mains when it must to leave with what it needs.
// kLoadsFirst: the router sees the house's own surplus before its battery (PV − load), so the
// heater and the car take it first and the battery (and with it APIS) gets what they leave.
// kValue: each surplus kWh where it saves the most import. The battery gives back about 0.94 of
// it after its round trip (a neighbour's, through two converters, about 0.85 of that); a car
// that lacks it for its next trip would take it from the mains whole; a tank saves it less its
// extra standing loss until the heat is used, and nothing at its maximum. So the house's own
// surplus goes first to a car short of its next trip and to a tank below its set-point in the
// hours before the heat is used, and otherwise to the battery first.
enum class FlexiblePolicy { kOff, kBatteryFirst, kLoadsFirst, kValue };
// "off", "battery-first", "loads-first", "value": the names of wattshare sim's --flexible-loads.
[[nodiscard]] std::optional<FlexiblePolicy> flexible_policy_named(std::string_view name);
[[nodiscard]] std::string_view name_of(FlexiblePolicy p);

// A house's flexible loads as its owner would see them now (the last step's powers).
struct FlexibleLoadsState {
  struct Heater {
    double temperature_c = 0, power_w = 0, surplus_w = 0;
  };
  struct Car {
    bool plugged = false;
    double power_w = 0, surplus_w = 0, amps = 0, energy_kwh = 0, soc_pct = 0;
  };
  std::optional<Heater> heater;
  std::optional<Car> car;
};

class Community {
 public:
  // The spec must come from load_community()/parse_community() (validated). Hourly PV files
  // are read here; a missing one throws std::runtime_error naming the file.
  explicit Community(const CommunitySpec& spec);

  void advance_to(TimePoint t);
  [[nodiscard]] TimePoint time() const { return now_; }
  [[nodiscard]] std::size_t size() const { return units_.size(); }
  [[nodiscard]] const std::string& unit_id(std::size_t i) const { return units_[i].id; }
  [[nodiscard]] int index_of(const std::string& id) const;
  [[nodiscard]] const CommunitySpec& spec() const { return spec_; }

  [[nodiscard]] UnitData unit_data(std::size_t i) const;
  // Validates the command against the converter's limits, then applies it; on error nothing
  // changes. Omitted fields keep their present value.
  [[nodiscard]] tl::expected<UnitData, Error> set_dcdc(std::size_t i, const DcdcCommand& c);

  [[nodiscard]] EnergyTotals totals() const;
  [[nodiscard]] EnergyTotals unit_totals(std::size_t i) const;
  [[nodiscard]] double bus_voltage_v() const;  // at the junction
  [[nodiscard]] double pv_w(std::size_t i) const { return units_[i].pv_w; }
  [[nodiscard]] double load_w(std::size_t i) const { return units_[i].load_w; }
  [[nodiscard]] Battery& battery(std::size_t i) { return units_[i].battery; }
  [[nodiscard]] const DcdcConverter& converter(std::size_t i) const { return units_[i].dcdc; }
  [[nodiscard]] std::uint64_t bus_solves() const { return bus_solves_; }
  // The unit's host (its agent, through the driver) touched the device now.
  void touch(std::size_t i) { units_[i].last_touch = now_; }
  // Driver watchdog: a converter not in WAIT whose host has been silent this long goes to WAIT
  // by itself (0 = off), and `tripped` hears of it. A crashed controller cannot leave the bus
  // energised.
  void set_host_watchdog(Duration timeout, std::function<void(std::size_t unit)> tripped = {}) {
    host_watchdog_ = timeout;
    watchdog_tripped_ = std::move(tripped);
  }
  [[nodiscard]] Duration host_watchdog() const { return host_watchdog_; }
  // kValue when the community has flexible loads, else kOff.
  void set_flexible_policy(FlexiblePolicy p) { flexible_policy_ = p; }
  [[nodiscard]] FlexiblePolicy flexible_policy() const { return flexible_policy_; }
  [[nodiscard]] bool has_flexible_loads() const;
  // The unit's water heater and car, if it has any.
  [[nodiscard]] std::optional<FlexibleLoadsState> flexible_loads(std::size_t i) const;

 private:
  struct Unit {
    std::string id;
    Battery battery;
    DcdcConverter dcdc;
    double system_loss_w = 0;
    double export_limit_w = 0;
    std::size_t node = 0;
    // operating point from the last bus solve
    double vg_v = 0, ig_a = 0, wg_w = 0, wb_w = 0, conv_loss_w = 0;
    // PV and load of the present minute
    double pv_w = 0, load_w = 0;
    TimePoint last_touch{};
    EnergyTotals totals;
    int flexible = -1;  // its flexible loads in flexible_, if it has any
  };
  // A house's flexible loads and its router's view of the last step; kept apart from Unit, so
  // the houses without them stay small for the step loop.
  struct FlexibleLoads {
    std::optional<WaterHeater> heater;
    std::optional<EvModel> ev;
    surplus::Router router;
    // Last step, as a meter would show them to the router: the surplus beyond what the battery
    // could have taken (< 0: the battery wanted more than it got), and the house's own surplus
    // before its battery (PV − loads; < 0: the loads took more than there was).
    double after_battery_w = 0, own_w = 0;
    double heater_surplus_w = 0, ev_surplus_w = 0;  // last step: what they took of the offer
    double heater_w = 0, ev_w = 0;                  // last step: all they drew
    std::optional<TimePoint> router_at;             // the router's last decision, held for a cycle
    double heater_offer_w = 0, ev_offer_w = 0;
    bool ev_plugged = false;
  };

  // The flexible loads' demand this step [W] (mains and surplus), with their totals.
  double step_flexible_loads(FlexibleLoads& f, const Battery& battery, EnergyTotals& t, double dt_s, std::int64_t minute,
                             TimePoint now);
  // What the router is shown as export: the surplus after the battery or before it.
  [[nodiscard]] double offer_w(const FlexibleLoads& f, const Battery& battery, std::int64_t local_minute) const;

  void solve_bus();
  void step(double dt_s, std::int64_t minute, TimePoint now);
  void update_minute(std::int64_t minute);

  CommunitySpec spec_;
  Duration local_offset_;  // the community's local time, for the flexible loads' days
  std::int64_t local_offset_minutes_;
  std::unordered_map<std::string, int> index_;
  HouseProfiles profiles_;
  std::vector<Unit> units_;
  std::vector<FlexibleLoads> flexible_;
  DcBus bus_;
  TimePoint now_;
  std::int64_t minute_ = INT64_MIN;
  bool bus_dirty_ = true;
  double bus_loss_w_ = 0;
  double bus_loss_wh_ = 0;
  std::uint64_t bus_solves_ = 0;
  Duration host_watchdog_{0};
  FlexiblePolicy flexible_policy_ = FlexiblePolicy::kOff;
  std::function<void(std::size_t)> watchdog_tripped_;
};

}  // namespace wattshare
