#include "devices/apis_http/driver_server.hpp"

#include <fmt/format.h>

#include "devices/apis_json.hpp"

namespace wattshare {
namespace {

HttpResponse error_json(int status, const std::string& key, const std::string& message) {
  Json j;
  j[key] = message;
  return json_response(status, dump_json(j));
}

HttpResponse ok_json(const Json& j) { return json_response(200, dump_json(j)); }

bool is(const std::vector<std::string_view>& parts, std::initializer_list<std::string_view> want,
        std::size_t offset = 0) {
  if (parts.size() != offset + want.size()) return false;
  std::size_t i = offset;
  for (auto w : want)
    if (parts[i++] != w) return false;
  return true;
}

}  // namespace

DriverServer::DriverServer(Community& community, std::function<void()> sync,
                           AccelerationControl* control)
    : community_(community), sync_(std::move(sync)), control_(control) {}

std::optional<std::size_t> DriverServer::find_unit(std::string_view id) const {
  const int i = community_.index_of(std::string(id));
  if (i < 0) return std::nullopt;
  return static_cast<std::size_t>(i);
}

UnitIdentity unit_identity(const Community& community, std::size_t unit) {
  const auto& spec = community.spec();
  const auto& u = spec.units[unit];
  return UnitIdentity{u.id, u.apis.unit.community_id, u.apis.unit.cluster_id,
                      spec.location.utc_offset_h, u.battery.capacity_wh, community.pv_w(unit),
                      community.load_w(unit)};
}

tl::expected<DcdcCommand, Error> DriverServer::parse_command(const ParsedTarget& t,
                                                             bool allow_powermeter) {
  DcdcCommand c;
  for (const auto& [name, value] : t.query) {
    double number = 0;
    if (name == "mode") {
      DcdcMode m;
      if (!parse_mode_code(value, m))
        return tl::unexpected(Error::bad_input(fmt::format(
            "mode '{}' is not one of 0x0000, 0x0014, 0x0002, 0x0041", value)));
      c.mode = m;
    } else if (name == "dvg" || name == "dig" || name == "drg") {
      if (!parse_decimal(value, number))
        return tl::unexpected(
            Error::bad_input(fmt::format("{} '{}' is not a decimal number", name, value)));
      (name == "dvg" ? c.dvg_v : name == "dig" ? c.dig_a : c.drg) = number;
    } else if (allow_powermeter && (name == "p1" || name == "p2")) {
      if (!parse_decimal(value, number))
        return tl::unexpected(
            Error::bad_input(fmt::format("{} '{}' is not a decimal number", name, value)));
    } else {
      return tl::unexpected(Error::bad_input(
          fmt::format("unknown parameter '{}' (expected mode, dvg, dig, drg)", name)));
    }
  }
  if (!c.mode && !c.dvg_v && !c.dig_a && !c.drg)
    return tl::unexpected(Error::bad_input("nothing to set: give mode, dvg, dig or drg"));
  return c;
}

HttpResponse DriverServer::handle(const HttpRequest& request) {
  if (request.method != "GET")
    return error_json(405, "error", fmt::format("method {} not allowed: the driver protocol uses GET",
                                                request.method));
  auto target = parse_target(request.target);
  if (!target) return error_json(400, "error", target.error().message);
  const auto parts = split_path(target->path);
  if (!parts.empty() && (parts[0] == "get" || parts[0] == "set"))
    return emulator_route(parts, *target);
  if (!parts.empty()) {
    if (const auto unit = find_unit(parts[0])) {
      return driver_route(*unit, std::vector<std::string_view>(parts.begin() + 1, parts.end()),
                          *target);
    }
    if (parts.size() >= 2 && (parts[1] == "dcdc" || parts[1] == "battery" || parts[1] == "all" ||
                              parts[1] == "version" || parts[1] == "remote"))
      return error_json(404, "err", fmt::format("unknown unit '{}'", parts[0]));
  }
  return error_json(404, "error", fmt::format("unknown path '{}'", target->path));
}

HttpResponse DriverServer::handle_unit(const HttpRequest& request, std::size_t unit) {
  if (request.method != "GET")
    return error_json(405, "err", fmt::format("method {} not allowed", request.method));
  auto target = parse_target(request.target);
  if (!target) return error_json(400, "err", target.error().message);
  return driver_route(unit, split_path(target->path), *target);
}

HttpResponse DriverServer::emulator_route(const std::vector<std::string_view>& parts,
                                          const ParsedTarget& t) {
  if (is(parts, {"get", "acc"})) {
    if (control_ == nullptr) return error_json(404, "error", "no time acceleration here");
    return ok_json(Json{{"acc", control_->acceleration()}});
  }
  if (parts.size() == 3 && parts[0] == "set" && parts[1] == "acc") {
    if (control_ == nullptr) return error_json(404, "error", "no time acceleration here");
    double factor = 0;
    if (!parse_decimal(parts[2], factor))
      return error_json(400, "error", fmt::format("acceleration '{}' is not a number", parts[2]));
    if (auto r = control_->set_acceleration(factor); !r)
      return error_json(400, "error", r.error().message);
    return ok_json(Json{{"acc", control_->acceleration()}});
  }
  sync_();
  if (is(parts, {"get", "log"})) {
    Json all = Json::object();
    for (std::size_t i = 0; i < community_.size(); ++i)
      all[community_.unit_id(i)] = emulator_unit_json(community_.unit_data(i), unit_identity(community_, i));
    return ok_json(all);
  }
  // Every other route ends with a unit id.
  if (parts.size() < 3) return error_json(404, "error", fmt::format("unknown path '{}'", t.path));
  const auto unit = find_unit(parts.back());
  const std::vector<std::string_view> route(parts.begin(), parts.end() - 1);
  auto known = [&](std::initializer_list<std::string_view> r) { return is(route, r); };
  const bool known_route = known({"get", "unit"}) || known({"get", "emu"}) ||
                           known({"get", "dcdc"}) || known({"get", "dcdc", "status"}) ||
                           known({"set", "dcdc"}) || known({"set", "dcdc", "voltage"}) ||
                           known({"set", "dcdc", "current"});
  if (!known_route) return error_json(404, "error", fmt::format("unknown path '{}'", t.path));
  if (!unit) return error_json(404, "error", fmt::format("unknown unit '{}'", parts.back()));
  community_.touch(*unit);  // its node is alive: the converter's watchdog starts again
  const UnitData d = community_.unit_data(*unit);
  if (known({"get", "unit"})) return ok_json(emulator_unit_json(d, unit_identity(community_, *unit)));
  if (known({"get", "emu"})) return ok_json(emulator_unit_json(d, unit_identity(community_, *unit))["emu"]);
  if (known({"get", "dcdc"})) return ok_json(dcdc_full_json(d));
  if (known({"get", "dcdc", "status"}))
    return ok_json(Json{{"status", dcdc_status_json(d)}, {"meter", dcdc_meter_json(d)}});

  auto command = parse_command(t, known({"set", "dcdc"}));
  if (!command) return error_json(400, "error", command.error().message);
  if (known({"set", "dcdc", "voltage"}) && (command->mode || command->dig_a))
    return error_json(400, "error", "set/dcdc/voltage takes only dvg and drg");
  if (known({"set", "dcdc", "current"}) && (command->mode || command->dvg_v || command->drg))
    return error_json(400, "error", "set/dcdc/current takes only dig");
  auto r = community_.set_dcdc(*unit, *command);
  if (!r) return error_json(400, "error", r.error().message);
  if (known({"set", "dcdc", "voltage"}))
    return ok_json(Json{{"meter", dcdc_meter_json(*r)}, {"vdis", dcdc_vdis_json(*r)}});
  if (known({"set", "dcdc", "current"}))
    return ok_json(Json{{"meter", dcdc_meter_json(*r)}, {"param", dcdc_param_json(*r)}});
  return ok_json(dcdc_full_json(*r));
}

HttpResponse DriverServer::driver_route(std::size_t unit, const std::vector<std::string_view>& p,
                                        const ParsedTarget& t) {
  auto route = [&](std::initializer_list<std::string_view> a,
                   std::initializer_list<std::string_view> b = {}) {
    return is(p, a) || (b.size() > 0 && is(p, b));
  };
  if (route({"version", "get"}))
    return ok_json(Json{{"comm_interface_version", "2.0"}, {"dcdc_batt_comm_version", "wattshare-1.0"}});
  sync_();
  community_.touch(unit);  // its node is alive: the converter's watchdog starts again
  const UnitData d = community_.unit_data(unit);
  if (route({"dcdc", "get"}, {"remote", "get"})) return ok_json(dcdc_full_json(d));
  if (route({"dcdc", "get", "status"}, {"remote", "get", "status"}))
    return ok_json(Json{{"status", dcdc_status_json(d)}, {"meter", dcdc_meter_json(d)}});
  if (route({"battery", "get"}, {"1", "log", "data"})) return ok_json(battery_json(d));
  if (route({"all", "get"}, {"remote", "ioctl", "get"})) return ok_json(all_get_json(d));
  const bool set_any = route({"dcdc", "set"}, {"remote", "set"});
  const bool set_voltage = route({"remote", "set", "voltage"});
  const bool set_current = route({"remote", "set", "current"});
  if (!set_any && !set_voltage && !set_current)
    return error_json(404, "err", fmt::format("unknown path '{}'", t.path));
  auto command = parse_command(t, false);
  if (!command) return error_json(400, "err", command.error().message);
  if (set_voltage && (command->mode || command->dig_a))
    return error_json(400, "err", "remote/set/voltage takes only dvg and drg");
  if (set_current && (command->mode || command->dvg_v || command->drg))
    return error_json(400, "err", "remote/set/current takes only dig");
  auto r = community_.set_dcdc(unit, *command);
  if (!r) return error_json(400, "err", r.error().message);
  // apis-dcdc_batt_comm answers by what was set: mode -> everything; voltage-only -> meter +
  // vdis; current-only -> meter + param.
  if (command->mode) return ok_json(dcdc_full_json(*r));
  if (command->dig_a && !command->dvg_v && !command->drg)
    return ok_json(Json{{"meter", dcdc_meter_json(*r)}, {"param", dcdc_param_json(*r)}});
  if (!command->dig_a) return ok_json(Json{{"meter", dcdc_meter_json(*r)}, {"vdis", dcdc_vdis_json(*r)}});
  return ok_json(dcdc_full_json(*r));
}

}  // namespace wattshare
