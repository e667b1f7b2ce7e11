// The server side of APIS's device-driver HTTP protocol over an emulated community, so that
// APIS's own apis-main (or wattshare's node) can drive it (reference §2.6, §7.1, §8). Pure
// request -> response: the transport (net/http_server) and the clock live outside.
//
// Two styles on one port:
//   apis-emulator:    /get/unit/<id>, /get/dcdc/<id>, /get/dcdc/status/<id>, /set/dcdc/<id>?...,
//                     /set/dcdc/voltage/<id>?dvg&drg, /set/dcdc/current/<id>?dig, /get/log,
//                     /get/emu/<id>, /get/acc, /set/acc/<n>
//   dcdc_batt_comm:   /<id>/dcdc/get, /<id>/dcdc/get/status, /<id>/dcdc/set?mode&dvg&dig&drg,
//                     /<id>/battery/get, /<id>/all/get, /<id>/version/get (and the /remote/...
//                     aliases); on a per-unit port (handle_unit) the same paths without <id>.
// Every request about one unit (data or command; not /get/log, which dashboards poll) counts as
// its node's contact for the community's host watchdog (Community::set_host_watchdog): the
// converter of a unit whose node went silent falls to Waiting by itself.
// Bad requests answer 400 (404 for an unknown unit or path) with a JSON error — {"error": …}, or
// {"err": …} in the dcdc_batt_comm style as that driver does — and change nothing.
//   DriverServer server{community, [&] { community.advance_to(clock.now()); }, &control};
//   HttpResponse r = server.handle({"GET", "/get/unit/E001"});
#pragma once

#include <functional>
#include <string>

#include <tl/expected.hpp>

#include "core/http_message.hpp"
#include "devices/apis_json.hpp"
#include "devices/emulated/community.hpp"

namespace wattshare {

// Time acceleration of the running emulator (apis-emulator's /get/acc, /set/acc/<n>).
class AccelerationControl {
 public:
  virtual ~AccelerationControl() = default;
  [[nodiscard]] virtual double acceleration() const = 0;
  [[nodiscard]] virtual tl::expected<void, Error> set_acceleration(double factor) = 0;
};

class DriverServer {
 public:
  DriverServer(Community& community, std::function<void()> sync, AccelerationControl* control);

  HttpResponse handle(const HttpRequest& request);
  // A per-unit port: dcdc_batt_comm paths without the unit prefix.
  HttpResponse handle_unit(const HttpRequest& request, std::size_t unit);

 private:
  HttpResponse emulator_route(const std::vector<std::string_view>& parts, const ParsedTarget& t);
  HttpResponse driver_route(std::size_t unit, const std::vector<std::string_view>& parts,
                            const ParsedTarget& t);
  tl::expected<DcdcCommand, Error> parse_command(const ParsedTarget& t, bool allow_powermeter);
  std::optional<std::size_t> find_unit(std::string_view id) const;

  Community& community_;
  std::function<void()> sync_;
  AccelerationControl* control_;
};

// Who an emulated unit is in apis-emulator's JSON (ids, time zone, battery, present PV and load).
UnitIdentity unit_identity(const Community& community, std::size_t unit);

}  // namespace wattshare
