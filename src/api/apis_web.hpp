// apis-web's HTTP API, as Sony's apis-main_controller polls and calls it (SonyCSL/apis-web:
// BudoEmulator on its port 43830: /unitIds, /deals, /getStatus, /active, /quiet, /stop, /manual,
// /setOperationMode, /shutdown; EmulatorEmulator on 43900: /get/log, the grid master's unit data
// of every unit in apis-main's shape). Pure request -> response, like ApiService.
//
// Two ways in: on the dashboard's port through ApiService (writes need its bearer token), and
// on a port of its own (`--apis-web-port`), where, as apis-web, nothing is asked of a caller but
// the listener refuses whatever a browser sends (ListenerAccess kPrograms: any Origin or
// Sec-Fetch-* header, a Host other than the loopback address and port), so no web page can
// switch a mode.
//   ApisWebApi web{{community, sharing, clock, hours(9), changed}};
//   HttpResponse r = web.handle({"GET", "/get/log"});
#pragma once

#include <functional>
#include <optional>

#include "api/sharing_view.hpp"
#include "core/clock.hpp"
#include "core/http_message.hpp"
#include "core/json_file.hpp"
#include "devices/emulated/community.hpp"

namespace wattshare {

struct ApisWebContext {
  Community& community;
  SharingView& sharing;
  Clock& clock;
  Duration utc_offset{};
  std::function<void()> changed;  // after every mode change
};

class ApisWebApi {
 public:
  explicit ApisWebApi(ApisWebContext c) : c_(std::move(c)) {}
  // The whole request, on apis-web's own listener: 404 {"error": "not found : <uri>"} for a path
  // apis-web does not serve, as apis-web answers.
  HttpResponse handle(const HttpRequest& request);
  // The answer for an apis-web path; nothing for any other path.
  std::optional<HttpResponse> route(const ParsedTarget& t);
  // Whether `path` changes something (a mode, or a shutdown).
  static bool writes(std::string_view path);
  // What /getStatus answers for a global mode.
  static bool active(OperationMode global);

  // apis-main's unit data (DataAcquisition.getData_), keyed by unit id: the driver's dcdc and
  // emu, battery, oesunit, apis (modes, remaining capacity, grid-master flag, deal ids), time.
  Json unit_data_json(std::size_t unit);
  Json all_unit_data_json();

 private:
  HttpResponse status_json() const;
  HttpResponse set_global_mode(std::string_view apis_mode);
  HttpResponse set_operation_mode(const ParsedTarget& t);

  ApisWebContext c_;
};

}  // namespace wattshare
