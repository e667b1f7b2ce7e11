// An APIS driver's JSON as UnitData (no I/O: the fuzz build links this without the network).
#include <fmt/format.h>

#include "cluster/driver_json.hpp"

namespace wattshare::cluster {

namespace {

Error bad(std::string_view what) { return Error::bad_input(fmt::format("driver reply: {}", what)); }

// Reads a number that drivers send as a number or a numeric string.
bool number(const Json& obj, const char* key, double& out) {
  if (!obj.is_object() || !obj.contains(key)) return false;
  const Json& v = obj[key];
  if (v.is_number()) {
    out = v.get<double>();
    return true;
  }
  if (v.is_string()) {
    try {
      std::size_t used = 0;
      const double d = std::stod(v.get<std::string>(), &used);
      if (used == v.get<std::string>().size()) {
        out = d;
        return true;
      }
    } catch (const std::exception&) {
    }
  }
  return false;
}

}  // namespace

tl::expected<UnitData, Error> unit_data_from_driver_json(const Json& j, const UnitData& base, TimePoint now) {
  if (!j.is_object()) return tl::unexpected(bad("not a JSON object"));
  const Json& dcdc = j.contains("dcdc") ? j["dcdc"] : j;
  if (!dcdc.is_object() || !(dcdc.contains("status") || dcdc.contains("meter") || dcdc.contains("vdis") || dcdc.contains("param"))) {
    return tl::unexpected(bad("no DC/DC object (status, meter, vdis or param)"));
  }
  UnitData u = base;
  u.time = now;
  // apis-emulator's voltage and current setters answer without the status: the mode stays.
  if (dcdc.contains("status")) {
    const Json& st = dcdc["status"];
    if (!st.is_object() || !st.contains("status") || !st["status"].is_string() ||
        !parse_mode_code(st["status"].get<std::string>(), u.mode)) {
      return tl::unexpected(bad(fmt::format("status.status is not a mode code: {}",
                                            st.is_object() && st.contains("status") ? describe_json(st["status"]) : "missing")));
    }
    const std::string alarm = st.value("alarmState", "No alarm");
    u.alarm = alarm == "Heavy alarm" ? AlarmLevel::kHeavy : alarm == "Light alarm" ? AlarmLevel::kLight : AlarmLevel::kNone;
  }
  if (dcdc.contains("meter")) {
    const Json& m = dcdc["meter"];
    struct Field { const char* key; double* slot; };
    for (const Field& f : {Field{"vg", &u.meter.vg_v}, Field{"ig", &u.meter.ig_a}, Field{"wg", &u.meter.wg_w},
                           Field{"vb", &u.meter.vb_v}, Field{"ib", &u.meter.ib_a}, Field{"wb", &u.meter.wb_w},
                           Field{"tmp", &u.meter.tmp_c}}) {
      if (!number(m, f.key, *f.slot)) return tl::unexpected(bad(fmt::format("meter.{} is missing or not a number", f.key)));
    }
  }
  if (dcdc.contains("vdis")) {
    if (!number(dcdc["vdis"], "dvg", u.dvg_v)) return tl::unexpected(bad("vdis.dvg is missing or not a number"));
    number(dcdc["vdis"], "drg", u.drg);
  }
  if (dcdc.contains("param")) {
    if (!number(dcdc["param"], "dig", u.param.dig_a)) return tl::unexpected(bad("param.dig is missing or not a number"));
    number(dcdc["param"], "ogv", u.param.ogv_v);
    number(dcdc["param"], "ugv", u.param.ugv_v);
    number(dcdc["param"], "obv", u.param.obv_v);
    number(dcdc["param"], "ubv", u.param.ubv_v);
    number(dcdc["param"], "cib", u.param.cib_a);
  }
  // The battery: apis-emulator under "emu", dcdc_batt_comm's /all/get at the top, /battery/get under "battery".
  for (const Json* b : {&j, j.contains("emu") ? &j["emu"] : nullptr, j.contains("battery") ? &j["battery"] : nullptr}) {
    if (b == nullptr || !b->is_object()) continue;
    double rsoc = 0, status = 0;
    if (number(*b, "rsoc", rsoc)) {
      if (!(rsoc >= 0 && rsoc <= 100)) return tl::unexpected(bad(fmt::format("rsoc {} is outside 0–100", rsoc)));
      u.rsoc_pct = rsoc;
    }
    if (number(*b, "battery_operation_status", status)) {
      if (status != 0 && status != 1 && status != 2 && status != 3) {
        return tl::unexpected(bad(fmt::format("battery_operation_status {} is not 0–3", status)));
      }
      u.battery_status = static_cast<BatteryPermission>(static_cast<int>(status));
    }
  }
  return u;
}

}  // namespace wattshare::cluster
