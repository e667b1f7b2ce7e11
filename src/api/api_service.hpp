// The dashboard's HTTP API over a live community (reference apis.md §9.1–9.2 for the apis-web
// and apis-main_controller shapes). Pure request -> response: the transport (net/http_server)
// and the clock live outside, so tests drive it in virtual time.
//
// Reads (no token): /api/health, /api/units, /api/units/<id>, /api/deals?state=active|history
// [&offset&limit], /api/mode, /api/totals, /api/history/<id>[.csv]?from&to&points,
// /api/totals/history?from&to&points, /api/deals.csv, /api/acceleration, /metrics; apis-web's
// /deals, /unitIds, /getStatus, /get/log (ApisWebApi).
// Writes (Authorization: Bearer <token>, else 401): POST /api/mode {"mode"},
// POST /api/units/<id>/local-mode {"mode": …|null}, POST /api/units/<id>/dcdc {"mode","dvg","dig"}
// (only in Manual), POST /api/acceleration {"acceleration"}; apis-web's /active, /quiet, /stop,
// /manual and /setOperationMode?[unitId=]&value=.
// Bad requests answer 4xx with {"error": …} and change nothing.
// The sharing side is a `SharingView`: the engine in this process or the nodes seen through etcd.
//   ApiService api{{community, sharing_view, store, scheduler, &acceleration, token, hours(9)}};
//   HttpResponse r = api.handle({"GET", "/api/units"});
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "core/http_message.hpp"
#include "core/json_file.hpp"
#include "devices/apis_http/driver_server.hpp"
#include "api/history_query.hpp"
#include "api/apis_web.hpp"
#include "api/history_health.hpp"
#include "api/sharing_view.hpp"
#include "store/history_store.hpp"

namespace wattshare {

struct FlexibleLoadsState;

struct ApiContext {
  Community& community;
  SharingView& sharing;
  HistoryStore& store;
  Clock& clock;
  AccelerationControl* acceleration = nullptr;
  std::string token;
  Duration utc_offset{};
  std::string web_root;            // the built dashboard (web/dist); empty: none
  std::function<void()> changed;   // after every accepted write (the WebSocket pushes at once)
  std::function<HistoryHealth()> history;  // the recorder's health (/api/health, /metrics)
};

class ApiService {
 public:
  explicit ApiService(ApiContext c)
      : c_(std::move(c)), apis_web_({c_.community, c_.sharing, c_.clock, c_.utc_offset, [this] { after_write(); }}) {}
  ApiService(const ApiService&) = delete;  // apis_web_ calls back into this object
  ApiService& operator=(const ApiService&) = delete;
  HttpResponse handle(const HttpRequest& request);
  // A valid history read (/api/history/<id>[.csv], /api/totals/history, /api/deals.csv),
  // prepared to run elsewhere (HistoryQuery::run on another thread and connection); nothing for
  // any other request, which handle() answers (errors of history reads included).
  [[nodiscard]] std::optional<HistoryQuery> deferrable(const HttpRequest& request) const;

  // The JSON shapes, shared with the WebSocket push.
  Json units_json();
  Json unit_json(std::size_t i);
  static void add_flexible_loads(Json& unit, const FlexibleLoadsState& f);
  Json active_deals_json();
  Json totals_json();
  // Everything a dashboard shows, in one message: the WebSocket's greeting and each push.
  Json snapshot_json();

 private:
  using Result = tl::expected<HttpResponse, HttpResponse>;
  Result route(const HttpRequest& request, const ParsedTarget& t);
  Result write_route(const std::vector<std::string_view>& parts, const Json& body, const ParsedTarget& t);
  // The history read a request asks for, if it is one: its query, or the 4xx for bad input.
  std::optional<tl::expected<HistoryQuery, HttpResponse>> history_query(const ParsedTarget& t) const;
  Result set_global_mode(std::string_view value);
  Result set_local_mode(std::size_t unit, const Json& mode);
  Result manual_dcdc(std::size_t unit, const Json& body);
  tl::expected<std::size_t, HttpResponse> unit_index(std::string_view id) const;
  Json modes_json() const;
  void after_write();  // drops cached answers and tells the WebSocket
  std::string metrics_text();

  ApiContext c_;
  ApisWebApi apis_web_;
  // GET /api/units between two community seconds answers the same bytes: the data cannot
  // have changed meanwhile except by a write, which drops the cache.
  std::string units_body_;
  std::optional<TimePoint> units_second_;
};

}  // namespace wattshare
