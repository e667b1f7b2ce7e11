#include "api/apis_web.hpp"

#include <fmt/format.h>

#include "core/apis_time.hpp"
#include "devices/apis_http/driver_server.hpp"
#include "devices/apis_json.hpp"

namespace wattshare {
namespace {

// apis-web answers every request with a JSON body and a newline.
HttpResponse apis_web_json(int status, const Json& body) { return json_response(status, dump_json(body) + '\n'); }

const char* apis_mode_of_path(std::string_view path) {
  if (path == "/active") return "autonomous";
  if (path == "/quiet") return "heteronomous";
  if (path == "/stop") return "stop";
  if (path == "/manual") return "manual";
  return nullptr;
}

}  // namespace

bool ApisWebApi::writes(std::string_view path) {
  return apis_mode_of_path(path) != nullptr || path == "/setOperationMode" || path == "/shutdown";
}

HttpResponse ApisWebApi::handle(const HttpRequest& request) {
  auto target = parse_target(request.target);
  if (!target) return apis_web_json(400, Json{{"error", target.error().message}});
  if (auto r = route(*target)) return *r;
  return apis_web_json(404, Json{{"error", "not found : " + request.target}});
}

std::optional<HttpResponse> ApisWebApi::route(const ParsedTarget& t) {
  const std::string& p = t.path;
  if (p == "/unitIds") {
    Json ids = Json::array();
    for (std::size_t i = 0; i < c_.community.size(); ++i) ids.push_back(c_.community.unit_id(i));
    return apis_web_json(200, ids);
  }
  if (p == "/deals") {
    // BudoEmulator.convertDealInfo_: the legacy BUDO shape of each deal in the table.
    Json out = Json::array();
    c_.sharing.for_each_deal([&](const Deal& d) {
      out.push_back(Json{{"chargingUnit", d.charge_unit_id}, {"dischargingUnit", d.discharge_unit_id},
                         {"isMasterDeal", d.is_master},
                         {"request", d.type == DealDirection::kCharge ? "CHARGE" : "DISCHARGE"},
                         {"requester", d.request_unit_id}, {"responder", d.accept_unit_id},
                         {"startTime", format_apis_time(d.create_time, c_.utc_offset)}});
    });
    return apis_web_json(200, out);
  }
  if (p == "/getStatus") return status_json();
  if (const char* mode = apis_mode_of_path(p)) return set_global_mode(mode);
  if (p == "/setOperationMode") return set_operation_mode(t);
  if (p == "/shutdown") {
    // Shutting processes down is the service manager's job here (systemd, `wattshare demo`'s
    // own exit); answered as apis-web answers a failed request.
    return apis_web_json(200, Json{{"succeeded", false},
                                   {"error", "shutdown is not served here: stop the unit's process (wattshare node) instead"}});
  }
  if (p == "/get/log") return apis_web_json(200, all_unit_data_json());
  return std::nullopt;
}

bool ApisWebApi::active(OperationMode global) {
  // checkGlobalOperationMode_: active when the global mode is autonomous or heteronomous.
  return global == OperationMode::kAutonomous || global == OperationMode::kHeteronomous;
}

HttpResponse ApisWebApi::status_json() const {
  return apis_web_json(200, Json{{"active", active(c_.sharing.global_mode())}});
}

HttpResponse ApisWebApi::set_global_mode(std::string_view apis_mode) {
  // setGlobalOperationModeAndReturn_: set, then answer /getStatus; a failure answers
  // {"active": false, "error": …}.
  auto m = parse_operation_mode(apis_mode);
  if (!m) return apis_web_json(400, Json{{"active", false}, {"error", m.error().message}});
  if (auto r = c_.sharing.set_global_mode(*m); !r) return apis_web_json(503, Json{{"active", false}, {"error", r.error().message}});
  if (c_.changed) c_.changed();
  return status_json();
}

HttpResponse ApisWebApi::set_operation_mode(const ParsedTarget& t) {
  // /setOperationMode?[unitId=]&value=: a unit's local mode (empty or "null" clears it), or the
  // global mode; {"succeeded": true} or {"succeeded": false, "error": …}.
  auto failed = [](int status, const std::string& why) {
    return apis_web_json(status, Json{{"succeeded", false}, {"error", why}});
  };
  const auto v = t.query.find("value");
  const std::string value = v == t.query.end() ? std::string() : v->second;
  const auto u = t.query.find("unitId");
  tl::expected<void, Error> r;
  if (u != t.query.end() && !u->second.empty()) {
    const int i = c_.community.index_of(u->second);
    if (i < 0) return failed(404, fmt::format("unknown unit '{}'", u->second));
    std::optional<OperationMode> mode;
    if (!value.empty() && value != "null") {
      auto m = parse_operation_mode(value);
      if (!m) return failed(400, m.error().message);
      mode = *m;
    }
    r = c_.sharing.set_local_mode(static_cast<std::size_t>(i), mode);
  } else {
    auto m = parse_operation_mode(value);
    if (!m) return failed(400, "value: " + m.error().message);
    r = c_.sharing.set_global_mode(*m);
  }
  if (!r) return failed(r.error().code == ErrorCode::kNotAvailable ? 503 : 400, r.error().message);
  if (c_.changed) c_.changed();
  return apis_web_json(200, Json{{"succeeded", true}});
}

Json ApisWebApi::unit_data_json(std::size_t i) {
  const auto& u = c_.community.spec().units[i];
  const AgentView a = c_.sharing.agent(i);
  const UnitData d = a.data ? *a.data : c_.community.unit_data(i);
  // The driver's answer (apis-emulator's /get/unit), with the battery object DcdcEmulatorDataAcquisition adds.
  Json unit = emulator_unit_json(d, unit_identity(c_.community, i));
  unit["battery"] = battery_json(d);
  // DataAcquisition.getOesunit_: the unit's name and serial number from config.json, "NA" when absent.
  Json& oesunit = unit["oesunit"];
  oesunit["communityId"] = u.apis.unit.community_id.empty() ? "NA" : u.apis.unit.community_id;
  oesunit["clusterId"] = u.apis.unit.cluster_id.empty() ? "NA" : u.apis.unit.cluster_id;
  oesunit["display"] = u.apis.unit.unit_name.empty() ? "auto" + u.id : u.apis.unit.unit_name;
  oesunit["sn"] = u.apis.unit.serial_number.empty() ? "NA" : u.apis.unit.serial_number;
  // getApisData_: remaining capacity from hwConfig's nominal capacity, the interlock capacity,
  // the grid-master flag and deal ids only when true / not empty, the three modes.
  Json apis;
  apis["version"] = "wattshare";
  if (u.apis.hw.battery_nominal_capacity_wh > 0)
    apis["remaining_capacity_wh"] = static_cast<int>(u.apis.hw.battery_nominal_capacity_wh * d.rsoc_pct / 100.0);
  apis["deal_interlock_capacity"] = deal_interlock_capacity(u.apis);
  if (a.grid_master) apis["is_grid_master"] = true;
  Json deals = Json::array();
  c_.sharing.for_each_deal([&](const Deal& deal) {
    if (deal.involves(u.id)) deals.push_back(deal.deal_id);
  });
  if (!deals.empty()) apis["deal_id_list"] = std::move(deals);
  apis["operation_mode"] = Json{
      {"global", std::string(to_string(c_.sharing.global_mode()))},
      {"local", a.local_mode ? Json(std::string(to_string(*a.local_mode))) : Json(nullptr)},
      {"effective", std::string(to_string(a.effective_mode))}};
  unit["apis"] = std::move(apis);
  // The old BUDO attribute: "1" when the unit trades autonomously.
  oesunit["budo"] = a.effective_mode == OperationMode::kAutonomous ? "1" : "0";
  return unit;
}

Json ApisWebApi::all_unit_data_json() {
  // The grid master's cache holds the units it has data of: a unit whose agent is not heard
  // from is left out, as apis-web's /get/log leaves it.
  c_.community.advance_to(c_.clock.now());
  Json all = Json::object();
  for (std::size_t i = 0; i < c_.community.size(); ++i) {
    if (!c_.sharing.agent(i).online) continue;
    all[c_.community.unit_id(i)] = unit_data_json(i);
  }
  return all;
}

}  // namespace wattshare
