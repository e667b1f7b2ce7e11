#include "devices/emulated/community.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace wattshare {
namespace {

constexpr Duration kRouterCycle = seconds(10);

std::vector<BusNode> bus_nodes(const CommunitySpec& spec) {
  std::vector<BusNode> nodes;
  nodes.push_back(BusNode{-1, 0.0, 0.0});  // the junction
  for (const auto& u : spec.units) {
    const int parent = u.bus_parent.empty() ? 0 : spec.index_of(u.bus_parent) + 1;
    nodes.push_back(BusNode{parent, u.line_resistance_ohm, spec.bleed_siemens});
  }
  return nodes;
}


// A house's surplus router for its flexible loads: the car on one phase (whole amperes from 6 A,
// evcc's delays), the heater's element as the dimmer, no reserve (the battery already took its share).
surplus::RouterSettings router_settings(const UnitSpec& u, Duration utc_offset) {
  surplus::RouterSettings r;
  r.reserve_w = 0;
  r.zone = TimeZone::fixed(utc_offset);
  r.ev.mode = surplus::Mode::kEco;
  r.ev.phases = 1;
  r.ev.max_a = u.ev ? std::max(std::floor(u.ev->max_w / r.ev.volts), r.ev.min_a) : r.ev.max_a;
  r.dimmer.rated_w = u.water_heater ? u.water_heater->element_w : 0;
  if (u.water_heater) {
    r.dimmer.max_temperature_c = u.water_heater->max_c;
    r.dimmer.restart_below_c = u.water_heater->max_c - 3;
  }
  r.relay.rated_w = 0;
  return r;
}

constexpr std::pair<FlexiblePolicy, std::string_view> kPolicyNames[] = {
    {FlexiblePolicy::kOff, "off"},
    {FlexiblePolicy::kBatteryFirst, "battery-first"},
    {FlexiblePolicy::kLoadsFirst, "loads-first"},
    {FlexiblePolicy::kValue, "value"},
};

}  // namespace

std::optional<FlexiblePolicy> flexible_policy_named(std::string_view name) {
  for (const auto& [p, n] : kPolicyNames)
    if (n == name) return p;
  return std::nullopt;
}

std::string_view name_of(FlexiblePolicy p) {
  for (const auto& [q, n] : kPolicyNames)
    if (q == p) return n;
  return "?";
}

bool Community::has_flexible_loads() const { return !flexible_.empty(); }

std::optional<FlexibleLoadsState> Community::flexible_loads(std::size_t i) const {
  if (units_[i].flexible < 0) return std::nullopt;
  const FlexibleLoads& f = flexible_[static_cast<std::size_t>(units_[i].flexible)];
  FlexibleLoadsState s;
  if (f.heater) s.heater = FlexibleLoadsState::Heater{f.heater->temperature_c(), f.heater_w, f.heater_surplus_w};
  if (f.ev) {
    s.car = FlexibleLoadsState::Car{.plugged = f.ev_plugged,
                                    .power_w = f.ev_w,
                                    .surplus_w = f.ev_surplus_w,
                                    .amps = f.ev_w / f.router.settings().ev.volts,  // one phase
                                    .energy_kwh = f.ev->energy_wh() / 1000,
                                    .soc_pct = 100 * f.ev->soc()};
  }
  return s;
}

double Community::offer_w(const FlexibleLoads& f, const Battery& battery, std::int64_t local_minute) const {
  switch (flexible_policy_) {
    case FlexiblePolicy::kBatteryFirst: return f.after_battery_w;
    case FlexiblePolicy::kLoadsFirst: return f.own_w;
    case FlexiblePolicy::kValue: break;
    case FlexiblePolicy::kOff: return 0;
  }
  // A kWh the battery stores comes back after its round trip. One the car lacks for its next
  // trip would otherwise come from the mains whole. One the tank takes below its night
  // set-point spares the mains that much, less the extra standing loss until it is used; and
  // heat taken early also fills room the afternoon's surplus, once the battery is full, would
  // have filled. So the tank goes first only where its loss is under half the battery's.
  const BatteryParams& b = battery.params();
  const double battery_keeps = b.charge_efficiency * b.discharge_efficiency;
  const bool car_first = f.ev && f.ev->room_wh() > 0 && f.ev->missing_wh(TimePoint{std::chrono::minutes(local_minute)}) > 0;
  const bool tank_first = f.heater && f.heater->below_setpoint_wh() > 0 &&
                          f.heater->heat_kept_share(local_minute) > (1 + battery_keeps) / 2;
  return car_first || tank_first ? f.own_w : f.after_battery_w;
}

double Community::step_flexible_loads(FlexibleLoads& u, const Battery& battery, EnergyTotals& t, double dt_s,
                                      std::int64_t minute, TimePoint now) {
  const std::int64_t local_minute = minute + local_offset_minutes_;
  const double w_per_a = u.router.settings().ev.volts;  // one phase
  // The router decides every 10 s of community time, between the daemon's 1 s and evcc's 30 s
  // cycles, and holds its offer in between. Deciding at every step (the engine splits them at
  // each agent's read, and each second while a converter ramps) cost 1.26x the loads on the mains
  // at 1,000 houses; once a minute was cheaper still but, a meter reading a minute late, it
  // imported 1.1 MWh a year more on oist-19 (battery-first); 10 s stays within 0.1 % of every step.
  if (flexible_policy_ != FlexiblePolicy::kOff && (!u.router_at || now - *u.router_at >= kRouterCycle)) {
    u.router_at = now;
    surplus::Inputs in;
    in.time = now;
    in.grid_export_w = offer_w(u, battery, local_minute);
    in.ev_connected = u.ev_plugged;
    in.ev_actual_a = u.ev_surplus_w / w_per_a;
    in.dimmer_power_w = u.heater_surplus_w;
    if (u.heater) in.water_temperature_c = u.heater->temperature_c();
    const surplus::Outputs o = u.router.step(in);
    u.ev_offer_w = o.ev_amps * w_per_a;
    u.heater_offer_w = u.heater ? o.dimmer_pct / 100 * u.heater->params().element_w : 0.0;
  }
  const double heater_offer = flexible_policy_ == FlexiblePolicy::kOff ? 0.0 : u.heater_offer_w;
  const double ev_offer = flexible_policy_ == FlexiblePolicy::kOff ? 0.0 : u.ev_offer_w;
  const Duration dt = from_seconds(dt_s);
  const bool baseline = flexible_policy_ == FlexiblePolicy::kOff;
  double total_w = 0;
  const double h = dt_s / 3600.0;
  if (u.heater) {
    const WaterHeaterStep hs = u.heater->step(local_minute, dt, heater_offer);
    u.heater_surplus_w = hs.surplus_w;
    u.heater_w = hs.element_w();
    total_w += hs.element_w();
    t.heater_wh += hs.element_w() * h;
  }
  if (u.ev) {
    const double before = u.ev->shortfall_wh();
    const EvStep es = u.ev->step(now + local_offset_, dt, ev_offer, baseline);
    u.ev_surplus_w = es.surplus_w;
    u.ev_plugged = es.plugged;
    u.ev_w = es.total_w();
    total_w += es.total_w();
    t.ev_wh += es.total_w() * h;
    t.ev_shortfall_wh += u.ev->shortfall_wh() - before;
  }
  return total_w;
}

Community::Community(const CommunitySpec& spec)
    : spec_(spec),
      local_offset_(from_seconds(spec.location.utc_offset_h * 3600)),
      local_offset_minutes_(std::chrono::duration_cast<std::chrono::minutes>(local_offset_).count()),
      profiles_(spec), bus_(bus_nodes(spec)), now_(spec.start) {
  units_.reserve(spec.units.size());
  for (std::size_t i = 0; i < spec.units.size(); ++i) {
    const auto& s = spec.units[i];
    Unit u{s.id, Battery{s.battery}, DcdcConverter{s.dcdc}, s.system_loss_w, s.export_limit_w, i + 1};
    u.totals.stored_start_wh = u.battery.stored_wh();
    if (s.water_heater || s.ev) {
      u.flexible = static_cast<int>(flexible_.size());
      FlexibleLoads& f = flexible_.emplace_back(FlexibleLoads{
          .router = surplus::Router{router_settings(s, local_offset_)}});
      if (s.water_heater) f.heater.emplace(*s.water_heater);
      if (s.ev) f.ev.emplace(*s.ev);
    }
    index_[s.id] = static_cast<int>(i);
    units_.push_back(std::move(u));
  }
  if (!flexible_.empty()) flexible_policy_ = FlexiblePolicy::kValue;  // the best measured (make bench)
}

int Community::index_of(const std::string& id) const {
  auto it = index_.find(id);
  return it == index_.end() ? -1 : it->second;
}

void Community::solve_bus() {
  for (auto& u : units_) bus_.set_port(u.node, u.dcdc.port());
  bus_.solve();
  ++bus_solves_;
  bus_loss_w_ = bus_.loss_w();
  for (auto& u : units_) {
    u.vg_v = bus_.voltage_v(u.node);
    u.ig_a = -bus_.injection_a(u.node);
    u.wg_w = u.vg_v * u.ig_a;
    u.conv_loss_w = u.dcdc.loss_w(u.wg_w);
    u.wb_w = u.wg_w - u.conv_loss_w;
  }
  bus_dirty_ = false;
}

void Community::update_minute(std::int64_t minute) {
  if (minute == minute_) return;
  minute_ = minute;
  profiles_.at_minute(minute);
  for (std::size_t i = 0; i < units_.size(); ++i) {
    units_[i].pv_w = profiles_.pv_w(i);
    units_[i].load_w = profiles_.load_w(i);
  }
}

void Community::step(double dt_s, std::int64_t minute, TimePoint now) {
  update_minute(minute);
  if (bus_dirty_) solve_bus();
  const double h = dt_s / 3600.0;
  bus_loss_wh_ += bus_loss_w_ * h;
  for (auto& u : units_) {
    auto& t = u.totals;
    FlexibleLoads* flex = u.flexible >= 0 ? &flexible_[static_cast<std::size_t>(u.flexible)] : nullptr;
    const double flexible_w = flex ? step_flexible_loads(*flex, u.battery, t, dt_s, minute, now) : 0.0;
    const double own_w = u.pv_w - u.load_w - u.system_loss_w - flexible_w;
    const double net_w = own_w + u.wb_w;
    const double battery_could_take_w = flex ? u.battery.charge_limit_w(dt_s) : 0.0;
    const BatteryFlow flow = u.battery.exchange(net_w, dt_s);
    const double rest_w = net_w - flow.terminal_w;  // > 0 surplus, < 0 deficit
    if (flex) {
      // Of what they took from the offer, the part the house did not import for is solar.
      const double import_w = std::max(-rest_w, 0.0);
      const double heater_solar_w = std::max(flex->heater_surplus_w - import_w, 0.0);
      const double ev_solar_w = std::max(flex->ev_surplus_w - std::max(import_w - flex->heater_surplus_w, 0.0), 0.0);
      t.heater_solar_wh += heater_solar_w * h;
      t.ev_solar_wh += ev_solar_w * h;
      flex->after_battery_w = net_w - battery_could_take_w;
      flex->own_w = own_w;
    }
    double export_w = 0, curtail_w = 0, import_w = 0;
    if (rest_w > 0) {
      export_w = std::min(rest_w, u.export_limit_w);
      curtail_w = rest_w - export_w;
    } else {
      import_w = -rest_w;
    }
    t.pv_wh += u.pv_w * h;
    t.load_wh += u.load_w * h;
    t.system_loss_wh += u.system_loss_w * h;
    t.battery_loss_wh += flow.loss_wh;
    t.converter_loss_wh += u.conv_loss_w * h;
    t.bus_in_wh += u.wg_w * h;
    if (u.wg_w > 0) t.shared_wh += u.wg_w * h;
    if (u.wb_w > 0) t.battery_in_wh += u.wb_w * h;
    t.battery_net_wh += u.wb_w * h;
    t.export_wh += export_w * h;
    t.curtailed_wh += curtail_w * h;
    t.import_wh += import_w * h;

    // A ramp or a trip changes the port: the bus must be solved again.
    const bool was_ramping = u.dcdc.ramping();
    const auto heavy_before = u.dcdc.alarm_bits() & 0xff00;
    u.dcdc.advance(dt_s, u.vg_v, u.ig_a, u.battery.open_circuit_voltage_v());
    if (was_ramping || (u.dcdc.alarm_bits() & 0xff00) != heavy_before) bus_dirty_ = true;
  }
}

void Community::advance_to(TimePoint t) {
  while (now_ < t) {
    if (host_watchdog_ > Duration::zero()) {
      for (std::size_t i = 0; i < units_.size(); ++i) {
        Unit& u = units_[i];
        if (u.dcdc.mode() != DcdcMode::kWait && now_ - u.last_touch > host_watchdog_) {
          u.dcdc.command(DcdcMode::kWait, u.dcdc.dvg_v(), 0.0, 0.0);
          bus_dirty_ = true;
          if (watchdog_tripped_) watchdog_tripped_(i);
        }
      }
    }
    const std::int64_t minute = minute_index(now_);
    TimePoint next = TimePoint{std::chrono::minutes{minute + 1}};
    double ramp_s = 0;
    for (const auto& u : units_) ramp_s = std::max(ramp_s, u.dcdc.ramp_remaining_s());
    if (ramp_s > 0) {
      // While anything ramps, re-solve the bus at least every second.
      const auto ramp_end = now_ + std::max(Duration{1}, from_seconds(std::min(ramp_s, 1.0)));
      next = std::min(next, ramp_end);
    }
    if (host_watchdog_ > Duration::zero()) {
      // A watchdog deadline ends the step, so the converter stops exactly on time.
      for (const auto& u : units_)
        if (u.dcdc.mode() != DcdcMode::kWait && u.last_touch + host_watchdog_ > now_)
          next = std::min(next, u.last_touch + host_watchdog_ + Duration{1});
    }
    next = std::min(next, t);
    step(to_seconds(next - now_), minute, now_);
    now_ = next;
  }
}

UnitData Community::unit_data(std::size_t i) const {
  const Unit& u = units_[i];
  UnitData d;
  d.mode = u.dcdc.mode();
  d.alarm = u.dcdc.alarm_level();
  d.alarm_bits = u.dcdc.alarm_bits();
  d.meter = u.dcdc.measure(u.vg_v, u.ig_a, u.battery.open_circuit_voltage_v());
  d.meter.vb_v = u.battery.voltage_v(d.meter.ib_a);
  d.dvg_v = u.dcdc.dvg_v();
  d.drg = u.dcdc.drg();
  const auto& p = u.dcdc.params();
  d.param = DcdcParamValues{u.dcdc.dig_a(), p.ogv_v, p.ugv_v, p.obv_v, p.ubv_v, p.cib_a};
  d.rsoc_pct = u.battery.rsoc_pct();
  d.battery_status = u.battery.permission();
  d.wb_energy_wh = u.totals.battery_net_wh;
  d.time = now_;
  return d;
}

tl::expected<UnitData, Error> Community::set_dcdc(std::size_t i, const DcdcCommand& c) {
  Unit& u = units_[i];
  const auto& p = u.dcdc.params();
  const DcdcMode mode = c.mode.value_or(u.dcdc.mode());
  const double dvg = c.dvg_v.value_or(u.dcdc.dvg_v());
  const double dig = c.dig_a.value_or(u.dcdc.dig_a());
  const double drg = c.drg.value_or(u.dcdc.drg());
  if (!std::isfinite(dvg) || dvg < 0 || dvg > p.ogv_v)
    return tl::unexpected(Error::bad_input(
        fmt::format("{}: dvg {} V is outside 0-{} V (ogv)", u.id, dvg, p.ogv_v)));
  if (!std::isfinite(dig) || dig < 0 || dig > p.max_grid_current_a)
    return tl::unexpected(Error::bad_input(fmt::format(
        "{}: dig {} A is outside 0-{} A (converter rating)", u.id, dig, p.max_grid_current_a)));
  if (!std::isfinite(drg) || drg < 0 || drg >= 1)
    return tl::unexpected(
        Error::bad_input(fmt::format("{}: drg {} is outside [0, 1)", u.id, drg)));
  if (mode != DcdcMode::kWait && u.battery.permission() == BatteryPermission::kDeny)
    return tl::unexpected(Error::rejected(
        fmt::format("{}: the battery denies operation (battery_operation_status 0)", u.id)));
  u.dcdc.note_bus_voltage(u.vg_v);
  u.dcdc.command(mode, dvg, dig, drg);
  bus_dirty_ = true;
  solve_bus();
  return unit_data(i);
}

EnergyTotals Community::unit_totals(std::size_t i) const {
  EnergyTotals t = units_[i].totals;
  t.stored_now_wh = units_[i].battery.stored_wh();
  return t;
}

EnergyTotals Community::totals() const {
  EnergyTotals sum;
  for (std::size_t i = 0; i < units_.size(); ++i) {
    const EnergyTotals t = unit_totals(i);
    sum.pv_wh += t.pv_wh;
    sum.load_wh += t.load_wh;
    sum.import_wh += t.import_wh;
    sum.export_wh += t.export_wh;
    sum.curtailed_wh += t.curtailed_wh;
    sum.battery_loss_wh += t.battery_loss_wh;
    sum.converter_loss_wh += t.converter_loss_wh;
    sum.system_loss_wh += t.system_loss_wh;
    sum.shared_wh += t.shared_wh;
    sum.battery_in_wh += t.battery_in_wh;
    sum.stored_start_wh += t.stored_start_wh;
    sum.stored_now_wh += t.stored_now_wh;
    sum.heater_wh += t.heater_wh;
    sum.heater_solar_wh += t.heater_solar_wh;
    sum.ev_wh += t.ev_wh;
    sum.ev_solar_wh += t.ev_solar_wh;
    sum.ev_shortfall_wh += t.ev_shortfall_wh;
  }
  sum.bus_loss_wh = bus_loss_wh_;  // the bus is inside the community: bus_in stays 0
  return sum;
}

double Community::bus_voltage_v() const { return bus_.voltage_v(0); }

}  // namespace wattshare
