#include "cluster/wire.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace wattshare::cluster {
namespace {

std::int64_t ms(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint at_ms(std::int64_t v) { return TimePoint{} + Duration(v); }

template <typename T>
Json opt(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}
Json opt_time(const std::optional<TimePoint>& t) { return t ? Json(ms(*t)) : Json(nullptr); }

// The whole number at `key`; throws (turned into an error by guarded) when absent, not a whole
// number or out of T's range.
template <std::integral T>
T whole(const Json& j, const char* key) {
  if (auto v = whole_number<T>(j.at(key))) return *v;
  throw std::invalid_argument(fmt::format("{}: expected a whole number, got {}", key, describe_json(j.at(key))));
}

template <typename T>
std::optional<T> get_opt(const Json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return j[key].get<T>();
}
std::optional<TimePoint> get_opt_time(const Json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return at_ms(whole<std::int64_t>(j, key));
}

Json reasons(const std::vector<TimedReason>& list) {
  Json a = Json::array();
  for (const auto& r : list) a.push_back(Json{{"t", ms(r.time)}, {"why", r.reason}});
  return a;
}
std::vector<TimedReason> reasons_from(const Json& a) {
  std::vector<TimedReason> out;
  for (const auto& r : a) out.push_back({at_ms(whole<std::int64_t>(r, "t")), r.at("why").get<std::string>()});
  return out;
}

DealDirection direction(const std::string& s) {
  if (s == "charge") return DealDirection::kCharge;
  if (s == "discharge") return DealDirection::kDischarge;
  throw std::invalid_argument(fmt::format("unknown deal direction \"{}\"", s));
}

// The JSON readers throw on a missing key or a wrong type; the public functions turn that into
// an error that says what was being read.
template <typename T, typename F>
tl::expected<T, Error> guarded(const char* what, F&& read) {
  try {
    return read();
  } catch (const std::exception& e) {
    return tl::unexpected(Error::bad_input(fmt::format("{} from etcd: {}", what, e.what())));
  }
}

}  // namespace

Json to_wire(const Deal& d) {
  return Json{{"unit", d.unit_id}, {"negotiation", d.negotiation_id}, {"id", d.deal_id},
              {"request_unit", d.request_unit_id}, {"accept_unit", d.accept_unit_id},
              {"type", std::string(to_string(d.type))}, {"charge_unit", d.charge_unit_id},
              {"discharge_unit", d.discharge_unit_id}, {"request_time", ms(d.request_time)},
              {"accept_time", ms(d.accept_time)}, {"create_time", ms(d.create_time)},
              {"request_ppw", opt(d.request_point_per_wh)}, {"accept_ppw", opt(d.accept_point_per_wh)},
              {"ppw", opt(d.point_per_wh)}, {"request_a", d.request_deal_grid_current_a},
              {"accept_a", d.accept_deal_grid_current_a}, {"a", d.deal_grid_current_a},
              {"request_wh", d.request_amount_wh}, {"accept_wh", d.accept_amount_wh}, {"wh", d.deal_amount_wh},
              {"charge_egv", d.charge_unit_efficient_grid_voltage_v},
              {"discharge_egv", d.discharge_unit_efficient_grid_voltage_v},
              {"request_pair", opt(d.request_pair_unit_id)}, {"accept_pair", opt(d.accept_pair_unit_id)},
              {"activate", opt_time(d.activate_time)}, {"ramp_up", opt_time(d.ramp_up_time)},
              {"warm_up", opt_time(d.warm_up_time)}, {"start", opt_time(d.start_time)},
              {"cumulate", opt_time(d.cumulate_time)}, {"stop", opt_time(d.stop_time)},
              {"deactivate", opt_time(d.deactivate_time)}, {"comp_target", opt(d.compensation_target_vr_ig_a)},
              {"vr_ig_offset", d.vr_ig_offset_a}, {"cumulate_meter", opt(d.cumulate_meter_wh)},
              {"discharge_comp_ig", opt(d.discharge_unit_compensated_ig_a)},
              {"charge_comp_ig", opt(d.charge_unit_compensated_ig_a)}, {"cumulated_wh", d.cumulate_amount_wh},
              {"master", d.is_master}, {"reset", reasons(d.reset)}, {"abort", reasons(d.abort)},
              {"scram", d.scram ? Json{{"t", ms(d.scram->time)}, {"why", d.scram->reason}} : Json(nullptr)},
              {"need_to_stop", d.need_to_stop_reasons}, {"fail_points", d.fail_points},
              {"abortion_failures", d.abortion_failures}};
}

tl::expected<Deal, Error> deal_from_wire(const Json& j) {
  return guarded<Deal>("a deal", [&] {
    Deal d;
    d.unit_id = j.at("unit").get<std::string>();
    d.negotiation_id = j.at("negotiation").get<std::string>();
    d.deal_id = j.at("id").get<std::string>();
    if (d.deal_id.empty()) throw std::invalid_argument("an empty deal id");
    d.request_unit_id = j.at("request_unit").get<std::string>();
    d.accept_unit_id = j.at("accept_unit").get<std::string>();
    d.type = direction(j.at("type").get<std::string>());
    d.charge_unit_id = j.at("charge_unit").get<std::string>();
    d.discharge_unit_id = j.at("discharge_unit").get<std::string>();
    d.request_time = at_ms(whole<std::int64_t>(j, "request_time"));
    d.accept_time = at_ms(whole<std::int64_t>(j, "accept_time"));
    d.create_time = at_ms(whole<std::int64_t>(j, "create_time"));
    d.request_point_per_wh = get_opt<double>(j, "request_ppw");
    d.accept_point_per_wh = get_opt<double>(j, "accept_ppw");
    d.point_per_wh = get_opt<double>(j, "ppw");
    d.request_deal_grid_current_a = j.at("request_a").get<double>();
    d.accept_deal_grid_current_a = j.at("accept_a").get<double>();
    d.deal_grid_current_a = j.at("a").get<double>();
    d.request_amount_wh = j.at("request_wh").get<double>();
    d.accept_amount_wh = j.at("accept_wh").get<double>();
    d.deal_amount_wh = whole<long long>(j, "wh");
    d.charge_unit_efficient_grid_voltage_v = j.at("charge_egv").get<double>();
    d.discharge_unit_efficient_grid_voltage_v = j.at("discharge_egv").get<double>();
    d.request_pair_unit_id = get_opt<std::string>(j, "request_pair");
    d.accept_pair_unit_id = get_opt<std::string>(j, "accept_pair");
    d.activate_time = get_opt_time(j, "activate");
    d.ramp_up_time = get_opt_time(j, "ramp_up");
    d.warm_up_time = get_opt_time(j, "warm_up");
    d.start_time = get_opt_time(j, "start");
    d.cumulate_time = get_opt_time(j, "cumulate");
    d.stop_time = get_opt_time(j, "stop");
    d.deactivate_time = get_opt_time(j, "deactivate");
    d.compensation_target_vr_ig_a = get_opt<double>(j, "comp_target");
    d.vr_ig_offset_a = j.at("vr_ig_offset").get<double>();
    d.cumulate_meter_wh = get_opt<double>(j, "cumulate_meter");
    d.discharge_unit_compensated_ig_a = get_opt<double>(j, "discharge_comp_ig");
    d.charge_unit_compensated_ig_a = get_opt<double>(j, "charge_comp_ig");
    d.cumulate_amount_wh = j.at("cumulated_wh").get<double>();
    d.is_master = j.at("master").get<bool>();
    d.reset = reasons_from(j.at("reset"));
    d.abort = reasons_from(j.at("abort"));
    if (!j.at("scram").is_null()) d.scram = TimedReason{at_ms(whole<std::int64_t>(j["scram"], "t")), j["scram"].at("why").get<std::string>()};
    d.need_to_stop_reasons = j.at("need_to_stop").get<std::vector<std::string>>();
    d.fail_points = whole<std::uint16_t>(j, "fail_points");
    if (j.contains("abortion_failures")) d.abortion_failures = whole<int>(j, "abortion_failures");
    return d;
  });
}

Json to_wire(const Offer& o) {
  return Json{{"unit", o.unit_id}, {"type", std::string(to_string(o.type))}, {"wh", o.amount_wh},
              {"ppw", opt(o.point_per_wh)}, {"pair", opt(o.pair_unit_id)}, {"egv", o.efficient_grid_voltage_v},
              {"t", ms(o.time)}, {"a", o.deal_grid_current_a}};
}

tl::expected<Offer, Error> offer_from_wire(const Json& j) {
  return guarded<Offer>("an offer", [&] {
    Offer o;
    o.unit_id = j.at("unit").get<std::string>();
    o.type = direction(j.at("type").get<std::string>());
    o.amount_wh = j.at("wh").get<double>();
    o.point_per_wh = get_opt<double>(j, "ppw");
    o.pair_unit_id = get_opt<std::string>(j, "pair");
    o.efficient_grid_voltage_v = j.at("egv").get<double>();
    o.time = at_ms(whole<std::int64_t>(j, "t"));
    o.deal_grid_current_a = j.at("a").get<double>();
    return o;
  });
}

Json to_wire(const ControlCommand& c) {
  return Json{{"kind", static_cast<int>(c.kind)}, {"a", c.grid_current_a}, {"v", c.grid_voltage_v},
              {"then", c.then ? Json(std::string(to_string(*c.then))) : Json(nullptr)}};
}

tl::expected<ControlCommand, Error> command_from_wire(const Json& j) {
  return guarded<ControlCommand>("a device command", [&] {
    ControlCommand c;
    const int kind = whole<int>(j, "kind");
    if (kind < 0 || kind > static_cast<int>(ControlKind::kAuthorized)) throw std::invalid_argument(fmt::format("unknown command kind {}", kind));
    c.kind = static_cast<ControlKind>(kind);
    c.grid_current_a = j.at("a").get<double>();
    c.grid_voltage_v = j.at("v").get<double>();
    if (!j.at("then").is_null()) c.then = direction(j["then"].get<std::string>());
    return c;
  });
}

Json to_wire(const UnitData& u) {
  const auto& m = u.meter;
  const auto& p = u.param;
  return Json{{"mode", static_cast<int>(u.mode)}, {"alarm", static_cast<int>(u.alarm)}, {"alarm_bits", u.alarm_bits},
              {"meter", {m.vg_v, m.ig_a, m.wg_w, m.vb_v, m.ib_a, m.wb_w, m.tmp_c}},
              {"dvg", u.dvg_v}, {"drg", u.drg}, {"param", {p.dig_a, p.ogv_v, p.ugv_v, p.obv_v, p.ubv_v, p.cib_a}},
              {"rsoc", u.rsoc_pct},
              {"battery", u.battery_status ? Json(static_cast<int>(*u.battery_status)) : Json(nullptr)},
              {"wb_wh", opt(u.wb_energy_wh)}, {"t", ms(u.time)}};
}

tl::expected<UnitData, Error> unit_data_from_wire(const Json& j) {
  return guarded<UnitData>("unit data", [&] {
    UnitData u;
    const int mode = whole<int>(j, "mode");
    if (mode != 0x0000 && mode != 0x0014 && mode != 0x0002 && mode != 0x0041) throw std::invalid_argument(fmt::format("unknown mode {}", mode));
    u.mode = static_cast<DcdcMode>(mode);
    const int alarm = whole<int>(j, "alarm");
    if (alarm < 0 || alarm > 2) throw std::invalid_argument(fmt::format("unknown alarm level {}", alarm));
    u.alarm = static_cast<AlarmLevel>(alarm);
    u.alarm_bits = whole<std::uint16_t>(j, "alarm_bits");
    const auto m = j.at("meter").get<std::vector<double>>();
    const auto p = j.at("param").get<std::vector<double>>();
    if (m.size() != 7 || p.size() != 6) throw std::invalid_argument("meter or param of the wrong length");
    u.meter = {m[0], m[1], m[2], m[3], m[4], m[5], m[6]};
    u.param = {p[0], p[1], p[2], p[3], p[4], p[5]};
    u.dvg_v = j.at("dvg").get<double>();
    u.drg = j.at("drg").get<double>();
    u.rsoc_pct = j.at("rsoc").get<double>();
    if (!j.at("battery").is_null()) {
      const int b = whole<int>(j, "battery");
      if (b < 0 || b > 3) throw std::invalid_argument(fmt::format("unknown battery permission {}", b));
      u.battery_status = static_cast<BatteryPermission>(b);
    }
    u.wb_energy_wh = get_opt<double>(j, "wb_wh");
    u.time = at_ms(whole<std::int64_t>(j, "t"));
    return u;
  });
}

Json to_wire(const MemberRecord& m) {
  Json j{{"pid", opt(m.pid)}, {"capacity", m.capacity}, {"errors", m.errors},
         {"rejected_commands", m.rejected_commands}, {"market", m.market},
         {"local_mode", m.local_mode ? Json(std::string(to_string(*m.local_mode))) : Json(nullptr)},
         {"recent_errors", m.recent_errors}};
  if (m.effective_mode) j["effective_mode"] = std::string(to_string(*m.effective_mode));
  if (m.data) j["data"] = to_wire(*m.data);
  return j;
}

tl::expected<MemberRecord, Error> member_from_wire(const Json& j) {
  return guarded<MemberRecord>("a member record", [&] {
    if (!j.is_object()) throw std::invalid_argument("expected a JSON object");
    MemberRecord m;
    if (j.contains("pid") && j["pid"].is_number_integer()) m.pid = j["pid"].get<long long>();
    auto count = [&](const char* key, std::int64_t otherwise) { return j.contains(key) ? whole<std::int64_t>(j, key) : otherwise; };
    m.capacity = static_cast<int>(std::clamp<std::int64_t>(count("capacity", 1), 0, 1000));
    m.errors = j.value("errors", false);
    m.rejected_commands = static_cast<std::uint64_t>(count("rejected_commands", 0));
    m.market = static_cast<std::uint64_t>(count("market", 0));
    auto mode = [&](const char* key) -> std::optional<OperationMode> {
      if (!j.contains(key) || !j[key].is_string()) return std::nullopt;
      auto parsed = parse_operation_mode(j[key].get<std::string>());
      return parsed ? std::optional<OperationMode>(*parsed) : std::nullopt;
    };
    m.effective_mode = mode("effective_mode");
    m.local_mode = mode("local_mode");
    if (j.contains("recent_errors") && j["recent_errors"].is_array()) {
      for (const Json& e : j["recent_errors"]) {
        if (e.is_string()) m.recent_errors.push_back(e.get<std::string>());
      }
    }
    if (j.contains("data")) {
      if (auto d = unit_data_from_wire(j["data"])) m.data = *d;
    }
    return m;
  });
}

}  // namespace wattshare::cluster
