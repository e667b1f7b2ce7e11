#include "api/api_service.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "api/apis_web.hpp"
#include "api/metrics.hpp"
#include "api/static_files.hpp"
#include "core/apis_time.hpp"
#include "devices/apis_json.hpp"

namespace wattshare {
namespace {

HttpResponse error_response(int status, std::string message) {
  return json_response(status, dump_json(Json{{"error", std::move(message)}}));
}
HttpResponse ok(const Json& j) { return json_response(200, dump_json(j)); }
tl::unexpected<HttpResponse> fail(int status, std::string message) {
  return tl::make_unexpected(error_response(status, std::move(message)));
}


// A time bound: epoch milliseconds or APIS local time ("2021/06/01-12:00:00").
tl::expected<TimePoint, Error> parse_time_bound(const std::string& text, Duration offset) {
  if (!text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
      text.size() <= 15) {
    return TimePoint{} + Duration(std::stoll(text));
  }
  return parse_apis_time(text, offset);
}

}  // namespace

HttpResponse ApiService::handle(const HttpRequest& request) {
  auto target = parse_target(request.target);
  if (!target) return error_response(400, target.error().message);
  auto r = route(request, *target);
  return r ? *r : r.error();
}

ApiService::Result ApiService::route(const HttpRequest& request, const ParsedTarget& t) {
  const auto parts = split_path(t.path);
  const bool get = request.method == "GET";
  const bool post = request.method == "POST";
  if (!get && !post) return fail(405, fmt::format("method {} not allowed", request.method));

  // apis-web's paths (ApisWebApi); on this port its writes need the token, as every write.
  if (ApisWebApi::writes(t.path) && !bearer_matches(request.authorization, c_.token))
    return fail(401, "a bearer token is required to change the mode");
  if (auto r = apis_web_.route(t)) return *r;
  if (t.path == "/metrics") return text_response(metrics_text(), "text/plain; version=0.0.4");
  if (parts.empty() || parts[0] != "api") {
    if (get) {
      if (auto file = serve_static(c_.web_root, t.path)) return *file;
    }
    return fail(404, fmt::format("no such path: {}", t.path));
  }

  if (post) {
    if (!bearer_matches(request.authorization, c_.token)) return fail(401, "a bearer token is required (Authorization: Bearer <token>)");
    Json body = Json::object();
    if (!request.body.empty()) {
      auto parsed = parse_json_text(request.body, "request body");
      if (!parsed) return fail(400, parsed.error().message);
      if (!parsed->is_object()) return fail(400, "request body: expected a JSON object");
      body = std::move(*parsed);
    }
    return write_route(parts, body, t);
  }

  const std::string_view what = parts.size() > 1 ? parts[1] : "";
  if (parts.size() == 2 && what == "health") {
    // Degraded (still 200: the community runs) while the history cannot be written.
    const HistoryHealth h = c_.history ? c_.history() : HistoryHealth{};
    Json history{{"ok", h.ok()}, {"queued", h.queued}, {"write_errors", h.write_errors}, {"dropped", h.dropped}};
    if (h.last_error) history["error"] = h.last_error->message;
    return ok(Json{{"status", h.ok() ? "ok" : "degraded"},
                   {"time", format_apis_time(c_.clock.now(), c_.utc_offset)},
                   {"acceleration", c_.acceleration ? c_.acceleration->acceleration() : 1.0},
                   {"units", c_.community.size()},
                   {"invariant_violations", c_.sharing.invariant_violations()},
                   {"deals_in_history", c_.store.deal_count()},
                   {"history", std::move(history)}});
  }
  if (parts.size() == 2 && what == "units") {
    const TimePoint second = std::chrono::floor<std::chrono::seconds>(c_.clock.now());
    if (units_second_ != second) {
      units_body_ = dump_json(units_json());
      units_second_ = second;
    }
    return json_response(200, units_body_);
  }
  if (parts.size() == 3 && what == "units") {
    auto i = unit_index(parts[2]);
    if (!i) return tl::make_unexpected(i.error());
    return ok(unit_json(*i));
  }
  if (parts.size() == 2 && what == "deals") {
    const auto state = t.query.count("state") ? t.query.at("state") : "active";
    if (state == "active") return ok(active_deals_json());
    if (state != "history") return fail(400, fmt::format("state={}: expected active or history", state));
    double offset = 0, limit = 50;
    if (t.query.count("offset") && (!parse_decimal(t.query.at("offset"), offset) || offset < 0 || offset > 1e9 ||
                                    offset != std::floor(offset)))
      return fail(400, "offset: expected a whole number from 0 to 1000000000");
    if (t.query.count("limit") && (!parse_decimal(t.query.at("limit"), limit) || limit < 1 || limit > 1000 || limit != std::floor(limit)))
      return fail(400, "limit: expected a whole number from 1 to 1000");
    Json deals = Json::array();
    for (const StoredDeal& d : c_.store.deals(static_cast<std::size_t>(offset), static_cast<std::size_t>(limit))) {
      deals.push_back(parse_json_text(d.json, "stored deal").value_or(Json(d.json)));
    }
    return ok(Json{{"total", c_.store.deal_count()}, {"offset", offset}, {"limit", limit}, {"deals", std::move(deals)}});
  }
  if (parts.size() == 2 && what == "mode") return ok(modes_json());
  if (parts.size() == 2 && what == "totals") return ok(totals_json());
  if (parts.size() == 2 && what == "acceleration") {
    return ok(Json{{"acceleration", c_.acceleration ? c_.acceleration->acceleration() : 1.0}});
  }
  if (auto q = history_query(t)) {
    if (!*q) return tl::make_unexpected((*q).error());
    return (*q)->run(c_.store);
  }
  return fail(404, fmt::format("no such path: {}", t.path));
}

ApiService::Result ApiService::write_route(const std::vector<std::string_view>& parts, const Json& body,
                                           const ParsedTarget& t) {
  if (parts.size() == 2 && parts[1] == "mode") {
    if (!body.contains("mode") || !body["mode"].is_string()) return fail(400, "body: expected {\"mode\": \"autonomous|heteronomous|stop|manual\"}");
    return set_global_mode(body["mode"].get<std::string>());
  }
  if (parts.size() == 2 && parts[1] == "acceleration") {
    if (!body.contains("acceleration") || !body["acceleration"].is_number()) return fail(400, "body: expected {\"acceleration\": number}");
    if (c_.acceleration == nullptr) return fail(409, "this server runs in virtual time: no acceleration to set");
    if (auto r = c_.acceleration->set_acceleration(body["acceleration"].get<double>()); !r) {
      return fail(r.error().code == ErrorCode::kRejected ? 409 : 400, r.error().message);
    }
    after_write();
    return ok(Json{{"acceleration", c_.acceleration->acceleration()}});
  }
  if (parts.size() == 4 && parts[1] == "units") {
    auto i = unit_index(parts[2]);
    if (!i) return tl::make_unexpected(i.error());
    if (parts[3] == "local-mode") {
      if (!body.contains("mode")) return fail(400, "body: expected {\"mode\": \"heteronomous|stop\" or null}");
      return set_local_mode(*i, body["mode"]);
    }
    if (parts[3] == "dcdc") return manual_dcdc(*i, body);
  }
  return fail(404, fmt::format("no such path: {}", t.path));
}

ApiService::Result ApiService::set_global_mode(std::string_view value) {
  auto m = parse_operation_mode(value);
  if (!m) return fail(400, m.error().message);
  if (auto r = c_.sharing.set_global_mode(*m); !r) return fail(503, r.error().message);
  after_write();
  return ok(Json{{"global", std::string(to_string(*m))}, {"active", ApisWebApi::active(*m)}});
}

ApiService::Result ApiService::set_local_mode(std::size_t unit, const Json& mode) {
  std::optional<OperationMode> m;
  if (!mode.is_null()) {
    if (!mode.is_string()) return fail(400, "mode: expected a string or null");
    auto parsed = parse_operation_mode(mode.get<std::string>());
    if (!parsed) return fail(400, parsed.error().message);
    m = *parsed;
  }
  if (auto r = c_.sharing.set_local_mode(unit, m); !r) {
    return fail(r.error().code == ErrorCode::kNotAvailable ? 503 : 400, r.error().message);
  }
  after_write();
  return ok(unit_json(unit));
}

ApiService::Result ApiService::manual_dcdc(std::size_t unit, const Json& body) {
  if (c_.sharing.global_mode() != OperationMode::kManual) {
    return fail(409, "manual converter control needs the global mode manual");
  }
  DcdcCommand cmd;
  if (body.contains("mode")) {
    DcdcMode mode{};
    if (!body["mode"].is_string() || !parse_mode_code(body["mode"].get<std::string>(), mode)) {
      return fail(400, "mode: expected 0x0000, 0x0014, 0x0002 or 0x0041");
    }
    cmd.mode = mode;
  }
  for (const auto& [key, out] : {std::pair{"dvg", &cmd.dvg_v}, std::pair{"dig", &cmd.dig_a}, std::pair{"drg", &cmd.drg}}) {
    if (!body.contains(key)) continue;
    if (!body[key].is_number()) return fail(400, fmt::format("{}: expected a number", key));
    *out = body[key].get<double>();
  }
  if (!cmd.mode && !cmd.dvg_v && !cmd.dig_a && !cmd.drg) return fail(400, "body: give at least one of mode, dvg, dig, drg");
  c_.community.advance_to(c_.clock.now());
  auto r = c_.community.set_dcdc(unit, cmd);
  if (!r) return fail(400, r.error().message);
  after_write();
  return ok(dcdc_full_json(*r));
}

std::optional<HistoryQuery> ApiService::deferrable(const HttpRequest& request) const {
  if (request.method != "GET") return std::nullopt;
  auto target = parse_target(request.target);
  if (!target) return std::nullopt;
  auto q = history_query(*target);
  if (!q || !*q) return std::nullopt;
  return **q;
}

std::optional<tl::expected<HistoryQuery, HttpResponse>> ApiService::history_query(const ParsedTarget& t) const {
  const auto parts = split_path(t.path);
  if (parts.size() < 2 || parts[0] != "api") return std::nullopt;
  HistoryQuery q;
  q.utc_offset = c_.utc_offset;
  if (parts.size() == 2 && parts[1] == "deals.csv") {
    q.kind = HistoryQuery::Kind::kDealsCsv;
    return q;
  }
  if (parts.size() == 3 && parts[1] == "totals" && parts[2] == "history") {
    q.kind = HistoryQuery::Kind::kTotalsSeries;
  } else if (parts.size() == 3 && parts[1] == "history") {
    q.unit = std::string(parts[2]);
    q.csv = q.unit.ends_with(".csv");
    if (q.csv) q.unit.resize(q.unit.size() - 4);
    if (auto i = unit_index(q.unit); !i) return tl::make_unexpected(i.error());
  } else {
    return std::nullopt;
  }
  const TimePoint now = c_.clock.now();
  q.from = now - hours(24);
  q.to = now;
  for (const auto& [key, out] : {std::pair{"from", &q.from}, std::pair{"to", &q.to}}) {
    if (!t.query.count(key)) continue;
    auto parsed = parse_time_bound(t.query.at(key), c_.utc_offset);
    if (!parsed) return tl::make_unexpected(error_response(400, fmt::format("{}: {}", key, parsed.error().message)));
    *out = *parsed;
  }
  if (q.to < q.from) return tl::make_unexpected(error_response(400, "from is after to"));
  if (q.to - q.from > HistoryQuery::kMaxSpan) {
    return tl::make_unexpected(error_response(
        400, fmt::format("from..to spans {:.0f} days: at most {} per request", to_seconds(q.to - q.from) / 86400,
                         std::chrono::duration_cast<std::chrono::days>(HistoryQuery::kMaxSpan).count())));
  }
  double points = 500;
  if (t.query.count("points") &&
      (!parse_decimal(t.query.at("points"), points) || points < 1 || points > HistoryQuery::kMaxPoints)) {
    return tl::make_unexpected(error_response(400, fmt::format("points: expected 1 to {}", HistoryQuery::kMaxPoints)));
  }
  q.points = static_cast<std::size_t>(points);
  return q;
}

void ApiService::after_write() {
  units_second_.reset();
  if (c_.changed) c_.changed();
}

tl::expected<std::size_t, HttpResponse> ApiService::unit_index(std::string_view id) const {
  const int i = c_.community.index_of(std::string(id));
  if (i < 0) return tl::make_unexpected(error_response(404, fmt::format("unknown unit '{}'", id)));
  return static_cast<std::size_t>(i);
}

Json ApiService::unit_json(std::size_t i) {
  c_.community.advance_to(c_.clock.now());
  const UnitData d = c_.community.unit_data(i);
  const AgentView a = c_.sharing.agent(i);
  const std::string& id = c_.community.unit_id(i);
  Json deals = Json::array();
  c_.sharing.for_each_deal([&](const Deal& deal) {
    if (deal.involves(id)) deals.push_back(deal.deal_id);
  });
  const auto& local = a.local_mode;
  Json unit{{"id", id},
              {"rsoc", round2(d.rsoc_pct)},
              {"battery_operation_status", static_cast<int>(d.battery_status.value_or(BatteryPermission::kPermit))},
              {"pv_w", round2(c_.community.pv_w(i))},
              {"load_w", round2(c_.community.load_w(i))},
              // The utility meter, cumulative: a dashboard derives the flow between two pushes.
              {"import_wh", round2(c_.community.unit_totals(i).import_wh)},
              {"export_wh", round2(c_.community.unit_totals(i).export_wh)},
              {"dcdc", dcdc_full_json(d)},
              {"online", a.online},
              {"effective_mode", std::string(to_string(a.effective_mode))},
              {"local_mode", local ? Json(std::string(to_string(*local))) : Json(nullptr)},
              {"grid_master", a.grid_master},
              {"voltage_reference", d.mode == DcdcMode::kVoltageReference},
              {"deals", std::move(deals)},
              {"errors", a.errors}};
  if (const auto flexible = c_.community.flexible_loads(i)) add_flexible_loads(unit, *flexible);
  return unit;
}

// A house's water heater and car, as its owner's app would show them.
void ApiService::add_flexible_loads(Json& unit, const FlexibleLoadsState& f) {
  if (f.heater) {
    unit["water_heater"] = Json{{"temperature_c", round2(f.heater->temperature_c)},
                                {"power_w", round2(f.heater->power_w)},
                                {"surplus_w", round2(f.heater->surplus_w)}};
  }
  if (f.car) {
    unit["ev"] = Json{{"plugged", f.car->plugged},         {"power_w", round2(f.car->power_w)},
                      {"surplus_w", round2(f.car->surplus_w)}, {"amps", round2(f.car->amps)},
                      {"energy_kwh", round2(f.car->energy_kwh)}, {"soc_pct", round2(f.car->soc_pct)}};
  }
}

Json ApiService::units_json() {
  Json out = Json::array();
  for (std::size_t i = 0; i < c_.community.size(); ++i) out.push_back(unit_json(i));
  return out;
}

Json ApiService::active_deals_json() {
  Json out = Json::array();
  c_.sharing.for_each_deal([&](const Deal& d) {
    Json j = deal_json(d, c_.utc_offset);
    j["progress"] = d.deal_amount_wh > 0 ? std::min(1.0, d.cumulate_amount_wh / static_cast<double>(d.deal_amount_wh)) : 0.0;
    j["state"] = std::string(to_string(d.state()));
    out.push_back(std::move(j));
  });
  return out;
}

Json ApiService::totals_json() {
  c_.community.advance_to(c_.clock.now());
  const EnergyTotals t = c_.community.totals();
  const EngineStats s = c_.sharing.stats();
  return Json{{"time", format_apis_time(c_.clock.now(), c_.utc_offset)},
              {"self_sufficiency", t.load_wh > 0 ? 1.0 - t.import_wh / t.load_wh : 1.0},
              {"pv_wh", round2(t.pv_wh)},        {"load_wh", round2(t.load_wh)},
              {"import_wh", round2(t.import_wh)}, {"export_wh", round2(t.export_wh)},
              {"shared_wh", round2(t.shared_wh)}, {"curtailed_wh", round2(t.curtailed_wh)},
              {"losses_wh", round2(t.losses_wh())}, {"bus_voltage_v", round2(c_.community.bus_voltage_v())},
              {"deals_completed", s.deals_completed}, {"deals_aborted", s.deals_aborted},
              {"deals_scrammed", s.deals_scrammed}, {"invariant_violations", c_.sharing.invariant_violations()},
              // The surplus the water heaters and cars took, which the houses would have curtailed
              // or exported (issue 18).
              {"flexible_policy", std::string(name_of(c_.community.flexible_policy()))},
              {"heater_wh", round2(t.heater_wh)}, {"ev_wh", round2(t.ev_wh)},
              {"curtailment_avoided_wh", round2(t.heater_solar_wh + t.ev_solar_wh)}};
}

Json ApiService::modes_json() const {
  Json local = Json::object();
  for (std::size_t i = 0; i < c_.community.size(); ++i) {
    const auto m = c_.sharing.agent(i).local_mode;
    local[c_.community.unit_id(i)] = m ? Json(std::string(to_string(*m))) : Json(nullptr);
  }
  return Json{{"global", std::string(to_string(c_.sharing.global_mode()))}, {"local", std::move(local)}};
}

Json ApiService::snapshot_json() {
  return Json{{"type", "update"},
              {"time", format_apis_time(c_.clock.now(), c_.utc_offset)},
              {"t_ms", c_.clock.now().time_since_epoch().count()},
              {"utc_offset_s", to_seconds(c_.utc_offset)},
              {"mode", modes_json()},
              {"acceleration", c_.acceleration ? c_.acceleration->acceleration() : 1.0},
              {"units", units_json()},
              {"deals", active_deals_json()},
              {"totals", totals_json()}};
}

std::string ApiService::metrics_text() {
  c_.community.advance_to(c_.clock.now());
  MetricsSnapshot m;
  for (std::size_t i = 0; i < c_.community.size(); ++i) {
    const UnitData d = c_.community.unit_data(i);
    UnitMetrics& u = m.units.emplace_back(UnitMetrics{c_.community.unit_id(i), d.rsoc_pct, d.meter.wg_w, d.meter.wb_w,
                                                      d.meter.ig_a, c_.community.pv_w(i), c_.community.load_w(i),
                                                      static_cast<double>(c_.sharing.agent(i).errors.size())});
    if (const auto f = c_.community.flexible_loads(i)) {
      if (f->heater) u.heater = UnitMetrics::Heater{f->heater->temperature_c, f->heater->power_w};
      if (f->car) u.car = UnitMetrics::Car{f->car->plugged, f->car->power_w, f->car->soc_pct};
    }
  }
  const EnergyTotals t = c_.community.totals();
  const EngineStats s = c_.sharing.stats();
  m.bus_voltage_v = c_.community.bus_voltage_v();
  c_.sharing.for_each_deal([&](const Deal&) { m.active_deals += 1; });
  m.deals_completed = s.deals_completed;
  m.deals_aborted = s.deals_aborted;
  m.deals_scrammed = s.deals_scrammed;
  m.invariant_violations = c_.sharing.invariant_violations();
  m.shared_wh = t.shared_wh;
  m.import_wh = t.import_wh;
  m.export_wh = t.export_wh;
  m.pv_wh = t.pv_wh;
  m.load_wh = t.load_wh;
  m.heater_wh = t.heater_wh;
  m.ev_wh = t.ev_wh;
  m.loads_surplus_wh = t.heater_solar_wh + t.ev_solar_wh;
  if (c_.history) m.history = c_.history();
  return render_metrics(m);
}

}  // namespace wattshare
