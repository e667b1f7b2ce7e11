#include "config/community.hpp"

#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "core/apis_time.hpp"
#include "core/json_fields.hpp"
#include "core/random.hpp"

namespace wattshare {

int CommunitySpec::index_of(const std::string& unit_id) const {
  for (std::size_t i = 0; i < units.size(); ++i)
    if (units[i].id == unit_id) return static_cast<int>(i);
  return -1;
}

namespace {

void positive(JsonFields& f, const std::string& key, double v) {
  if (!(v > 0)) f.fail(key, fmt::format("must be > 0, got {}", v));
}
void non_negative(JsonFields& f, const std::string& key, double v) {
  if (!(v >= 0)) f.fail(key, fmt::format("must be >= 0, got {}", v));
}
void fraction(JsonFields& f, const std::string& key, double v) {
  if (!(v > 0 && v <= 1)) f.fail(key, fmt::format("must be in (0, 1], got {}", v));
}

// "waterHeater": {"volumeL", "elementW", "lossWPerK", "minC", "nightSetpointC", "maxC",
// "dailyDrawKwh"} and "ev": {"batteryKwh", "maxW", "workdayKwh", "weekendKwh", "reserveKwh",
// "startSoc"}, each key optional (physics' defaults: a 200 L, 2 kW tank; a 40 kWh car on 7.4 kW).
void read_flexible_loads(JsonFields& f, UnitSpec& u) {
  if (const Json* h = f.find("waterHeater"); h != nullptr && !h->is_null() && f.object("waterHeater") != nullptr) {
    WaterHeaterParams w;
    w.volume_l = f.number_or("waterHeater.volumeL", w.volume_l);
    w.element_w = f.number_or("waterHeater.elementW", w.element_w);
    w.loss_w_per_k = f.number_or("waterHeater.lossWPerK", w.loss_w_per_k);
    w.min_c = f.number_or("waterHeater.minC", w.min_c);
    w.night_setpoint_c = f.number_or("waterHeater.nightSetpointC", w.night_setpoint_c);
    w.max_c = f.number_or("waterHeater.maxC", w.max_c);
    w.daily_draw_kwh = f.number_or("waterHeater.dailyDrawKwh", w.daily_draw_kwh);
    positive(f, "waterHeater.volumeL", w.volume_l);
    positive(f, "waterHeater.elementW", w.element_w);
    non_negative(f, "waterHeater.lossWPerK", w.loss_w_per_k);
    non_negative(f, "waterHeater.dailyDrawKwh", w.daily_draw_kwh);
    if (!(w.cold_c < w.min_c && w.min_c < w.night_setpoint_c && w.night_setpoint_c <= w.max_c && w.max_c < 100)) {
      f.fail("waterHeater", fmt::format("expected {} °C (cold water) < minC < nightSetpointC <= maxC < 100, got {}, {}, {}",
                                        w.cold_c, w.min_c, w.night_setpoint_c, w.max_c));
    }
    u.water_heater = w;
  }
  if (const Json* e = f.find("ev"); e != nullptr && !e->is_null() && f.object("ev") != nullptr) {
    EvParams p;
    p.battery_kwh = f.number_or("ev.batteryKwh", p.battery_kwh);
    p.max_w = f.number_or("ev.maxW", p.max_w);
    p.workday_kwh = f.number_or("ev.workdayKwh", p.workday_kwh);
    p.weekend_kwh = f.number_or("ev.weekendKwh", p.weekend_kwh);
    p.reserve_kwh = f.number_or("ev.reserveKwh", p.reserve_kwh);
    p.start_soc = f.number_or("ev.startSoc", p.start_soc);
    positive(f, "ev.batteryKwh", p.battery_kwh);
    positive(f, "ev.maxW", p.max_w);
    non_negative(f, "ev.workdayKwh", p.workday_kwh);
    non_negative(f, "ev.weekendKwh", p.weekend_kwh);
    non_negative(f, "ev.reserveKwh", p.reserve_kwh);
    fraction(f, "ev.startSoc", p.start_soc);
    u.ev = p;
  }
}

void read_unit(JsonFields& f, const std::string& origin, ConfigCache* cache,
               std::set<std::string>& reported, UnitSpec& u) {
  u.id = f.string("id");
  const std::string config = f.string("config");
  if (!config.empty()) u.config_path = resolve_beside(origin, config);
  if (cache != nullptr && !config.empty()) {
    auto set = load_config_set(u.config_path, cache);
    if (!set) {
      // A broken shared file would otherwise be reported once per unit.
      if (reported.insert(set.error().message).second) f.fail("config", set.error().message);
    } else {
      u.apis = std::move(*set);
      if (u.apis.unit.unit_id != u.id)
        f.fail("config", fmt::format("{} has unitId '{}', expected '{}'", config,
                                     u.apis.unit.unit_id, u.id));
    }
  }
  // PV: either a clear-sky array or an hourly replay.
  u.pv.kwp = f.number_or("pv.kwp", 0);
  u.pv.hourly_csv = f.string_or("pv.hourlyCsv", "");
  if (!u.pv.hourly_csv.empty()) u.pv.hourly_csv = resolve_beside(origin, u.pv.hourly_csv);
  u.pv.scale = f.number_or("pv.scale", 1.0);
  non_negative(f, "pv.kwp", u.pv.kwp);
  non_negative(f, "pv.scale", u.pv.scale);
  // Load.
  u.load.annual_kwh = f.number_or("load.annualKwh", u.load.annual_kwh);
  u.load.shift_min = f.number_or("load.shiftMin", u.load.shift_min);
  u.load.noise_sd = f.number_or("load.noiseSd", u.load.noise_sd);
  u.load.spikes_per_day = f.number_or("load.spikesPerDay", u.load.spikes_per_day);
  u.load.spike_min_w = f.number_or("load.spikeMinW", u.load.spike_min_w);
  u.load.spike_max_w = f.number_or("load.spikeMaxW", u.load.spike_max_w);
  non_negative(f, "load.annualKwh", u.load.annual_kwh);
  non_negative(f, "load.spikesPerDay", u.load.spikes_per_day);
  if (u.load.spike_min_w > u.load.spike_max_w)
    f.fail("load.spikeMinW", fmt::format("{} W is above load.spikeMaxW {} W", u.load.spike_min_w,
                                         u.load.spike_max_w));
  // Battery: the capacity is APIS's batteryNominalCapacityWh, unless given here.
  auto& b = u.battery;
  b.capacity_wh = f.number_or("battery.capacityWh",
                              u.apis.hw.battery_nominal_capacity_wh > 0
                                  ? u.apis.hw.battery_nominal_capacity_wh
                                  : b.capacity_wh);
  b.initial_rsoc_pct = f.number_or("battery.initialRsocPct", b.initial_rsoc_pct);
  b.charge_efficiency = f.number_or("battery.chargeEfficiency", b.charge_efficiency);
  b.discharge_efficiency = f.number_or("battery.dischargeEfficiency", b.discharge_efficiency);
  b.max_charge_w = f.number_or("battery.maxChargeW", b.max_charge_w);
  b.max_discharge_w = f.number_or("battery.maxDischargeW", b.max_discharge_w);
  b.floor_rsoc_pct = f.number_or("battery.floorRsocPct", b.floor_rsoc_pct);
  b.self_discharge_pct_per_month =
      f.number_or("battery.selfDischargePctPerMonth", b.self_discharge_pct_per_month);
  b.empty_voltage_v = f.number_or("battery.emptyVoltageV", b.empty_voltage_v);
  b.full_voltage_v = f.number_or("battery.fullVoltageV", b.full_voltage_v);
  positive(f, "battery.capacityWh", b.capacity_wh);
  fraction(f, "battery.chargeEfficiency", b.charge_efficiency);
  fraction(f, "battery.dischargeEfficiency", b.discharge_efficiency);
  non_negative(f, "battery.maxChargeW", b.max_charge_w);
  non_negative(f, "battery.maxDischargeW", b.max_discharge_w);
  if (b.initial_rsoc_pct < 0 || b.initial_rsoc_pct > 100)
    f.fail("battery.initialRsocPct", fmt::format("must be 0-100 %, got {}", b.initial_rsoc_pct));
  // Converter.
  auto& d = u.dcdc;
  d.rated_power_w = f.number_or("dcdc.ratedPowerW", d.rated_power_w);
  d.max_grid_current_a = f.number_or("dcdc.maxGridCurrentA", d.max_grid_current_a);
  d.idle_loss_w = f.number_or("dcdc.idleLossW", d.idle_loss_w);
  d.charge_loss_w = f.number_or("dcdc.chargeLossW", d.charge_loss_w);
  d.discharge_loss_w = f.number_or("dcdc.dischargeLossW", d.discharge_loss_w);
  d.reference_loss_w = f.number_or("dcdc.referenceLossW", d.reference_loss_w);
  d.loss_per_w2 = f.number_or("dcdc.lossPerW2", d.loss_per_w2);
  d.current_ramp_a_per_s = f.number_or("dcdc.currentRampAPerS", d.current_ramp_a_per_s);
  d.voltage_ramp_v_per_s = f.number_or("dcdc.voltageRampVPerS", d.voltage_ramp_v_per_s);
  positive(f, "dcdc.maxGridCurrentA", d.max_grid_current_a);
  positive(f, "dcdc.currentRampAPerS", d.current_ramp_a_per_s);
  positive(f, "dcdc.voltageRampVPerS", d.voltage_ramp_v_per_s);
  non_negative(f, "dcdc.idleLossW", d.idle_loss_w);
  // House and bus.
  u.system_loss_w = f.number_or("systemLossW", u.system_loss_w);
  u.export_limit_w = f.number_or("exportLimitW", u.export_limit_w);
  non_negative(f, "systemLossW", u.system_loss_w);
  non_negative(f, "exportLimitW", u.export_limit_w);
  if (const Json* parent = f.find("bus.parent"); parent && !parent->is_null())
    u.bus_parent = f.string("bus.parent");
  u.line_resistance_ohm = f.number_or("bus.resistanceOhm", u.line_resistance_ohm);
  if (!(u.line_resistance_ohm >= 1e-3))
    f.fail("bus.resistanceOhm", fmt::format("must be >= 0.001 ohm, got {}", u.line_resistance_ohm));
  read_flexible_loads(f, u);
}

}  // namespace

tl::expected<CommunitySpec, Error> parse_community(const Json& doc, const std::string& origin,
                                                   bool load_apis_files) {
  JsonFields f{doc, origin};
  if (!f.root_is_object()) return tl::unexpected(f.failure());
  CommunitySpec c;
  c.source_path = origin;
  c.name = f.string_or("name", "community");
  c.location.latitude_deg = f.number_or("location.latitudeDeg", c.location.latitude_deg);
  c.location.longitude_deg = f.number_or("location.longitudeDeg", c.location.longitude_deg);
  c.location.utc_offset_h = f.number_or("location.utcOffsetHours", c.location.utc_offset_h);
  if (std::abs(c.location.latitude_deg) > 90)
    f.fail("location.latitudeDeg", fmt::format("must be -90..90, got {}", c.location.latitude_deg));
  c.seed = static_cast<std::uint64_t>(f.integer_or("seed", 1));
  c.weather.overcast_day_share = f.number_or("weather.overcastDayShare", c.weather.overcast_day_share);
  c.weather.partly_day_share = f.number_or("weather.partlyDayShare", c.weather.partly_day_share);
  c.weather.mean_temperature_c = f.number_or("weather.meanTemperatureC", c.weather.mean_temperature_c);
  if (c.weather.overcast_day_share < 0 || c.weather.partly_day_share < 0 ||
      c.weather.overcast_day_share + c.weather.partly_day_share > 1)
    f.fail("weather", "overcastDayShare and partlyDayShare must be >= 0 and sum to at most 1");
  const std::string start = f.string_or("start", "2020-01-01");
  if (auto t = parse_iso_date(start)) {
    c.start = *t;
  } else {
    f.fail("start", t.error().message);
  }
  c.bleed_siemens = f.number_or("bus.bleedSiemens", c.bleed_siemens);
  if (!(c.bleed_siemens > 0))
    f.fail("bus.bleedSiemens", fmt::format("must be > 0 S, got {}", c.bleed_siemens));

  const Json* units = f.find("units");
  if (units == nullptr || !units->is_array() || units->empty()) {
    f.fail("units", "missing or empty (expected a list of units)");
    return tl::unexpected(f.failure());
  }
  const Json defaults = f.find("defaults") ? *f.find("defaults") : Json::object();
  std::set<std::string> ids;
  ConfigCache cache;
  std::set<std::string> reported;
  for (std::size_t i = 0; i < units->size(); ++i) {
    Json merged = defaults;
    merged.merge_patch((*units)[i]);
    JsonFields uf{merged, origin, fmt::format("units[{}].", i)};
    UnitSpec u;
    read_unit(uf, origin, load_apis_files ? &cache : nullptr, reported, u);
    f.absorb(uf);
    if (!u.id.empty() && !ids.insert(u.id).second)
      f.fail(fmt::format("units[{}].id", i), fmt::format("'{}' is listed twice", u.id));
    c.units.push_back(std::move(u));
  }
  // The bus must be a tree: each parent listed before its child.
  for (std::size_t i = 0; i < c.units.size(); ++i) {
    const auto& p = c.units[i].bus_parent;
    if (p.empty()) continue;
    const int at = c.index_of(p);
    if (at < 0)
      f.fail(fmt::format("units[{}].bus.parent", i), fmt::format("'{}' is not a unit", p));
    else if (static_cast<std::size_t>(at) >= i)
      f.fail(fmt::format("units[{}].bus.parent", i),
             fmt::format("'{}' must be listed before '{}'", p, c.units[i].id));
  }
  if (load_apis_files && f.ok()) {
    // One cluster, one policy: every unit's policy lists the same members, and all units.
    const auto& first = c.units.front().apis.policy;
    const std::set<std::string> members(first.member_unit_ids.begin(), first.member_unit_ids.end());
    for (const auto& u : c.units) {
      if (u.apis.policy.member_unit_ids != first.member_unit_ids)
        f.fail_file(fmt::format("unit '{}': memberUnitIds of {} differ from those of {}", u.id,
                                u.apis.policy.source_path, first.source_path));
      if (members.count(u.id) == 0)
        f.fail_file(fmt::format("unit '{}' is not in memberUnitIds of {}", u.id, first.source_path));
    }
  }
  if (!f.ok()) return tl::unexpected(f.failure());
  reseed(c, c.seed);
  return c;
}

void reseed(CommunitySpec& spec, std::uint64_t seed) {
  spec.seed = seed;
  spec.weather.seed = hash_key(seed, 0x3ea7);
  for (std::size_t i = 0; i < spec.units.size(); ++i) {
    auto& u = spec.units[i];
    u.load.seed = hash_key(seed, 0x10ad, i);
    if (u.water_heater) u.water_heater->seed = hash_key(seed, 0x7a4c, i);
    if (u.ev) u.ev->seed = hash_key(seed, 0xe7, i);
  }
}

tl::expected<CommunitySpec, Error> load_community(const std::string& path) {
  std::string file = path;
  if (std::filesystem::is_directory(path)) file = (std::filesystem::path{path} / "community.json").string();
  return load_json_file(file).and_then(
      [&](const Json& doc) { return parse_community(doc, file); });
}

}  // namespace wattshare
