#include "devices/eza2500/driver_service.hpp"

#include <fmt/format.h>

namespace wattshare::eza {
namespace {

HttpResponse answer(const tl::expected<Json, Error>& r) {
  if (r) return json_response(200, dump_json(*r));
  return json_response(400, dump_json(Json{{"err", r.error().message}}));
}

// "0x0014", "0x14", "0X14" → 0x0014 (§6.3: "0x" then hex digits of any case and length).
tl::expected<std::uint16_t, Error> parse_mode(const std::string& text) {
  auto bad = [&] { return tl::make_unexpected(Error::bad_input(fmt::format("bad value: mode={:?}: expected 0x followed by hex digits", text))); };
  if (text.size() < 3 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X')) return bad();
  unsigned long v = 0;
  for (std::size_t i = 2; i < text.size(); ++i) {
    const char c = text[i];
    const int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    if (d < 0) return bad();
    v = v * 16 + static_cast<unsigned long>(d);
    if (v > 0xFFFF) return bad();
  }
  if (!settable_mode(static_cast<std::uint16_t>(v))) {
    return tl::make_unexpected(Error::bad_input(fmt::format("bad value: operation mode: {}", v)));
  }
  return static_cast<std::uint16_t>(v);
}

// The recommended order of seed 001 (reference §7.4), from the converter's present mode.
enum class Step { kVoltage, kCurrent, kMode };
std::array<Step, 3> set_order(std::uint16_t from, std::uint16_t to) {
  const bool from_cc = from == kModeCcCharge || from == kModeCcDischarge;
  if (from == kModeWaiting) return {Step::kVoltage, Step::kCurrent, Step::kMode};
  if (to == kModeWaiting) return {Step::kMode, Step::kVoltage, Step::kCurrent};
  if (from_cc && to == kModeGridAutonomy) return {Step::kVoltage, Step::kMode, Step::kCurrent};
  // Not done by APIS (CV → CC, CC ↔ CC) or a change of set-points within one mode: the current
  // set-point first, so a new CC mode starts at the requested current.
  return {Step::kCurrent, Step::kVoltage, Step::kMode};
}

}  // namespace

DcdcBattDriver::DcdcBattDriver(Eza2500Link& link, BatteryClient* battery, DriverOptions o)
    : link_(link), battery_(battery), o_(o) {}

HttpResponse DcdcBattDriver::handle(const HttpRequest& request) {
  if (request.method != "GET" && request.method != "POST") {
    return json_response(405, dump_json(Json{{"err", fmt::format("method {} not allowed", request.method)}}));
  }
  auto target = parse_target(request.target);
  if (!target) return answer(tl::make_unexpected(target.error()));
  std::string path = target->path;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  auto r = route(path, *target);
  if (!r && r.error().code == ErrorCode::kNotAvailable && r.error().message.starts_with("no such path")) {
    return json_response(404, dump_json(Json{{"err", r.error().message}}));
  }
  return answer(r);
}

DcdcBattDriver::Result DcdcBattDriver::route(const std::string& path, const ParsedTarget& t) {
  if (path == "/version/get") {
    return Json{{"comm_interface_version", "2.0"}, {"dcdc_batt_comm_version", "1.4"}, {"driver", "wattshare"}};
  }
  if (path == "/essx/hello") {
    cache_ = {};
    return Json{{"message", "hello world"}};
  }
  if (path == "/remote/get" || path == "/dcdc/get") return remote_get(path == "/remote/get");
  if (path == "/remote/get/status" || path == "/dcdc/get/status") return get_status();
  if (path == "/1/log/data") return battery_log();
  if (path == "/battery/get") {
    auto log = battery_log();
    if (!log) return log;
    return Json{{"rsoc", (*log)["rsoc"]}, {"battery_operation_status", (*log)["battery_operation_status"]}};
  }
  if (path == "/remote/ioctl/get" || path == "/all/get") {
    auto log = battery_log();  // the battery first: /all/get fails as a whole without it
    if (!log) return log;
    auto dcdc = remote_get(path == "/remote/ioctl/get");
    if (!dcdc) return dcdc;
    if (path == "/remote/ioctl/get") {
      for (auto& [k, v] : dcdc->items()) (*log)[k] = v;
      return log;
    }
    return Json{{"rsoc", (*log)["rsoc"]}, {"battery_operation_status", (*log)["battery_operation_status"]},
                {"meter", (*dcdc)["meter"]},  {"param", (*dcdc)["param"]},
                {"status", (*dcdc)["status"]}, {"vdis", (*dcdc)["vdis"]}};
  }
  if (path == "/remote/ioctl/set") return ioctl_set();
  if (path == "/remote/ioctl/clr_alarm") {
    if (auto c = command(kCmd9_4, {0, 0}); !c) return tl::make_unexpected(c.error());
    return remote_get(true);
  }
  const bool is_set = path == "/dcdc/set" || path == "/remote/set" || path == "/remote/set/current" ||
                      path == "/remote/set/voltage";
  if (!is_set) return tl::make_unexpected(Error::not_available(fmt::format("no such path: {}", path)));
  auto s = parse_set(t);
  if (!s) return tl::make_unexpected(s.error());
  if (path == "/remote/set/current") return set_current(*s);
  if (path == "/remote/set/voltage") return set_voltage(*s);
  if (path == "/dcdc/set") {
    if (s->dig && !s->dvg && !s->drg && !s->mode) return set_current(*s);
    if (s->dvg && !s->dig && !s->mode) return set_voltage(*s);
  }
  return full_set(*s);
}

tl::expected<DcdcBattDriver::SetRequest, Error> DcdcBattDriver::parse_set(const ParsedTarget& t) const {
  SetRequest s;
  auto word = [&](const char* name, const CommandSpec& c, std::size_t f,
                  std::optional<std::uint16_t>& out) -> tl::expected<void, Error> {
    const auto it = t.query.find(name);
    if (it == t.query.end()) return {};
    auto raw = encode_decimal(c.fields[f].q, it->second);
    if (!raw) return tl::make_unexpected(raw.error());
    out = *raw;
    return {};
  };
  if (auto it = t.query.find("mode"); it != t.query.end()) {
    auto m = parse_mode(it->second);
    if (!m) return tl::make_unexpected(m.error());
    s.mode = *m;
  }
  if (auto r = word("dvg", kCmd4_4, field::kDvg, s.dvg); !r) return tl::make_unexpected(r.error());
  if (auto r = word("drg", kCmd4_4, field::kDrg, s.drg); !r) return tl::make_unexpected(r.error());
  if (auto r = word("dig", kCmd6_4, field::kDig, s.dig); !r) return tl::make_unexpected(r.error());
  return s;
}

tl::expected<Words, Error> DcdcBattDriver::command(const CommandSpec& c, const Words& w) {
  auto r = link_.transact(c, w);
  if (r && (&c == &kCmd1_1 || &c == &kCmd1_4)) mode_ = (*r)[0];
  if (!r) force_waiting();
  return r;
}

void DcdcBattDriver::force_waiting() {
  // The converter stopped answering or keeps refusing: make it stop driving the bus if it still
  // listens. Whatever happens, its mode is unknown until it is read again.
  mode_.reset();
  if (auto w = link_.transact(kCmd1_4, {kModeWaiting}); w) mode_ = (*w)[0];
}

tl::expected<std::uint16_t, Error> DcdcBattDriver::current_mode() {
  if (mode_) return *mode_;
  auto m = command(kCmd1_1);
  if (!m) return tl::make_unexpected(m.error());
  return (*m)[0];
}

tl::expected<std::uint16_t, Error> DcdcBattDriver::setup_word(std::size_t f, double v) const {
  return encode_double(kCmd6_4.fields[f].q, v);
}

tl::expected<Words, Error> DcdcBattDriver::protection_with(std::uint16_t dig) const {
  Words w(6, 0);
  w[field::kDig] = dig;
  const ConverterSetup& c = o_.setup;
  const std::pair<std::size_t, double> fixed[] = {
      {field::kCib, c.cib}, {field::kUbv, c.ubv}, {field::kUgv, c.ugv}, {field::kObv, c.obv}, {field::kOgv, c.ogv}};
  for (const auto& [f, v] : fixed) {
    auto raw = setup_word(f, v);
    if (!raw) return tl::make_unexpected(raw.error());
    w[f] = *raw;
  }
  return w;
}

tl::expected<Json, Error> DcdcBattDriver::status_json(std::uint16_t mode, const Words& status,
                                                      std::optional<std::uint16_t> alm1) const {
  const auto name = mode_string(mode);
  if (!name) return tl::make_unexpected(Error::bad_input(fmt::format("bad value: operationMode: {}", mode)));
  const unsigned running = status[0] & 0x3, alarm = (status[0] & 0xC) >> 2;
  static constexpr const char* kRunning[] = {"off", "charge", "discharge"};
  static constexpr const char* kAlarm[] = {"No alarm", "Light alarm", "Heavy alarm"};
  if (running == 3) return tl::make_unexpected(Error::bad_input("bad value: runningState: 3"));
  if (alarm == 3) return tl::make_unexpected(Error::bad_input("bad value: alarmState: 3"));
  Json j;
  j["status"] = fmt::format("0x{:04x}", mode);
  j["alarmState"] = kAlarm[alarm];
  if (alm1) {
    j["statusName"] = "Ignore";
    j["alarm"] = fmt::format("{:04x} {:04x} {:04x}", *alm1, alarm, running);
  }
  j["runningState"] = kRunning[running];
  j["operationMode"] = std::string(*name);
  return j;
}

Json DcdcBattDriver::meter_json(const Words& m) {
  const CommandSpec& c = kCmd10_1;
  return Json{{"wg", value(c, field::kWg, m[field::kWg])},   {"tmp", value(c, field::kTmp, m[field::kTmp])},
              {"vb", value(c, field::kVb, m[field::kVb])},   {"wb", value(c, field::kWb, m[field::kWb])},
              {"vg", value(c, field::kVg, m[field::kVg])},   {"ib", value(c, field::kIb, m[field::kIb])},
              {"ig", value(c, field::kIg, m[field::kIg])}};
}

Json DcdcBattDriver::vdis_json(const Words& v) {
  return Json{{"dvg", value(kCmd4_1, field::kDvg, v[field::kDvg])}, {"drg", value(kCmd4_1, field::kDrg, v[field::kDrg])}};
}

Json DcdcBattDriver::param_json(std::uint16_t dig) const {
  const ConverterSetup& c = o_.setup;  // the configured values, as the original reports them
  return Json{{"dig", value(kCmd6_1, field::kDig, dig)}, {"ogv", c.ogv}, {"ugv", c.ugv},
              {"cib", c.cib}, {"obv", c.obv}, {"ubv", c.ubv}};
}

DcdcBattDriver::Result DcdcBattDriver::remote_get(bool with_powermeter) {
  auto mode = command(kCmd1_1);
  if (!mode) return tl::make_unexpected(mode.error());
  auto status = command(kCmd2_1);
  if (!status) return tl::make_unexpected(status.error());
  auto vdis = command(kCmd4_1);
  if (!vdis) return tl::make_unexpected(vdis.error());
  auto alarms = command(kCmd9_1);
  if (!alarms) return tl::make_unexpected(alarms.error());
  auto meter = command(kCmd10_1);
  if (!meter) return tl::make_unexpected(meter.error());
  auto protection = command(kCmd6_1);
  if (!protection) return tl::make_unexpected(protection.error());
  auto st = status_json((*mode)[0], *status, (*alarms)[0]);
  if (!st) return tl::make_unexpected(st.error());
  Json j;
  j["status"] = std::move(*st);
  if (with_powermeter) {
    j["powermeter"] = Json{{"p1", 0}, {"p2", 0}, {"v1", 0}, {"i1", 0}, {"kwh1", 0}, {"kwh2", 0}};
  }
  j["meter"] = meter_json(*meter);
  j["vdis"] = vdis_json(*vdis);
  j["param"] = param_json((*protection)[field::kDig]);
  return j;
}

DcdcBattDriver::Result DcdcBattDriver::get_status() {
  auto mode = command(kCmd1_1);
  if (!mode) return tl::make_unexpected(mode.error());
  auto status = command(kCmd2_1);
  if (!status) return tl::make_unexpected(status.error());
  auto meter = command(kCmd10_1);
  if (!meter) return tl::make_unexpected(meter.error());
  auto st = status_json((*mode)[0], *status, std::nullopt);
  if (!st) return tl::make_unexpected(st.error());
  return Json{{"status", std::move(*st)}, {"meter", meter_json(*meter)}};
}

DcdcBattDriver::Result DcdcBattDriver::battery_log() {
  if (battery_ == nullptr) return tl::make_unexpected(Error::not_available("comm error"));
  auto r = battery_->read();
  if (!r) return tl::make_unexpected(r.error());
  permission_ = r->permission;
  const ConverterSetup& c = o_.setup;
  Json j;
  j["rsoc"] = r->rsoc_pct;
  j["battery_rsoc"] = r->rsoc_pct;
  j["battery_operation_status"] = static_cast<int>(r->permission);
  j["battery_comm_err"] = 0;
  j["battery_voltage"] = c.battery_voltage;
  j["battery_current"] = c.battery_current;
  j["charge_discharge_power"] = c.battery_voltage * c.battery_current;
  j["battery_status"] = 0;
  j["battery_warning"] = 0;
  j["ups_operation_schedule"] = 0;
  j["ups_operation_mode"] = Json{{"mode", 0}, {"parameter", 0}, {"stop_mode", 0}};
  j["system_time"] = Json{{"year", 0}, {"month", 0}, {"day", 0}, {"hour", 0}, {"minute", 0}};
  j["dischargeable_time"] = Json{{"hour", 0}, {"minute", 0}};
  return j;
}

DcdcBattDriver::Result DcdcBattDriver::full_set(SetRequest s) {
  // Everything is encoded and checked before the first frame leaves (§7.4).
  auto from = current_mode();
  if (!from) return tl::make_unexpected(from.error());
  if (!s.mode) s.mode = cache_.mode ? cache_.mode : from.value();
  if (*s.mode != kModeWaiting && permission_ == BatteryPermission::kDeny) {
    return tl::make_unexpected(Error::rejected(
        fmt::format("battery denies operation: mode 0x{:04x} refused, only 0x0000 is accepted", *s.mode)));
  }
  if (!s.dvg) s.dvg = cache_.dvg;
  if (!s.drg) s.drg = cache_.drg;
  if (!s.dvg || !s.drg) {  // after a restart: what the converter holds
    auto held = command(kCmd4_1);
    if (!held) return tl::make_unexpected(held.error());
    if (!s.dvg) s.dvg = (*held)[field::kDvg];
    if (!s.drg) s.drg = (*held)[field::kDrg];
  }
  if (!s.dig) s.dig = cache_.dig;
  if (!s.dig) {
    auto held = command(kCmd6_1);
    if (!held) return tl::make_unexpected(held.error());
    s.dig = (*held)[field::kDig];
  }
  auto protection = protection_with(*s.dig);
  if (!protection) return tl::make_unexpected(protection.error());

  Words mode_echo, vdis_echo, protection_echo;
  for (const Step step : set_order(*from, *s.mode)) {
    tl::expected<Words, Error> r;
    if (step == Step::kMode) r = command(kCmd1_4, {*s.mode});
    if (step == Step::kVoltage) r = command(kCmd4_4, {*s.dvg, *s.drg});
    if (step == Step::kCurrent) r = command(kCmd6_4, *protection);
    if (!r) return tl::make_unexpected(r.error());
    (step == Step::kMode ? mode_echo : step == Step::kVoltage ? vdis_echo : protection_echo) = *r;
  }
  cache_ = s;
  auto status = command(kCmd2_1);
  if (!status) return tl::make_unexpected(status.error());
  auto alarms = command(kCmd9_1);
  if (!alarms) return tl::make_unexpected(alarms.error());
  auto meter = command(kCmd10_1);
  if (!meter) return tl::make_unexpected(meter.error());
  auto st = status_json(mode_echo[0], *status, (*alarms)[0]);
  if (!st) return tl::make_unexpected(st.error());
  return Json{{"status", std::move(*st)}, {"meter", meter_json(*meter)}, {"vdis", vdis_json(vdis_echo)},
              {"param", param_json(protection_echo[field::kDig])}};
}

DcdcBattDriver::Result DcdcBattDriver::set_current(const SetRequest& s) {
  if (!s.dig) return tl::make_unexpected(Error::bad_input("No dig"));
  auto protection = protection_with(*s.dig);
  if (!protection) return tl::make_unexpected(protection.error());
  auto echo = command(kCmd6_4, *protection);
  if (!echo) return tl::make_unexpected(echo.error());
  cache_.dig = s.dig;
  auto meter = command(kCmd10_1);
  if (!meter) return tl::make_unexpected(meter.error());
  return Json{{"meter", meter_json(*meter)}, {"param", param_json((*echo)[field::kDig])}};
}

DcdcBattDriver::Result DcdcBattDriver::set_voltage(SetRequest s) {
  if (!s.dvg) return tl::make_unexpected(Error::bad_input("No dvg"));
  if (!s.drg) s.drg = cache_.drg;
  if (!s.drg) {
    auto held = command(kCmd4_1);
    if (!held) return tl::make_unexpected(held.error());
    s.drg = (*held)[field::kDrg];
  }
  auto echo = command(kCmd4_4, {*s.dvg, *s.drg});
  if (!echo) return tl::make_unexpected(echo.error());
  cache_.dvg = s.dvg;
  cache_.drg = s.drg;
  auto meter = command(kCmd10_1);
  if (!meter) return tl::make_unexpected(meter.error());
  return Json{{"meter", meter_json(*meter)}, {"vdis", vdis_json(*echo)}};
}

DcdcBattDriver::Result DcdcBattDriver::ioctl_set() {
  const ConverterSetup& c = o_.setup;
  auto battery_field = [&](std::size_t f, double v) { return encode_double(kCmd7_4.fields[f].q, v); };
  auto cvb = battery_field(1, c.cvb), dlb = battery_field(2, c.dlb), cdb = battery_field(3, c.cdb),
       ddb = battery_field(4, c.ddb);
  auto drb = encode_double(kCmd3_4.fields[1].q, c.drb);
  for (const auto* r : {&cvb, &dlb, &cdb, &ddb, &drb}) {
    if (!*r) return tl::make_unexpected(r->error());
  }
  auto held = command(kCmd6_1);
  if (!held) return tl::make_unexpected(held.error());
  auto protection = protection_with((*held)[field::kDig]);
  if (!protection) return tl::make_unexpected(protection.error());
  if (auto r = command(kCmd6_4, *protection); !r) return tl::make_unexpected(r.error());
  if (auto r = command(kCmd7_4, {c.bcf, *cvb, *dlb, *cdb, *ddb}); !r) return tl::make_unexpected(r.error());
  if (auto r = command(kCmd3_4, {*cvb, *drb}); !r) return tl::make_unexpected(r.error());
  return Json{{"dcdc_converter_name", "dcdc1"},
              {"dcdc_setup_parameter",
               Json{{"ubv", c.ubv}, {"ugv", c.ugv}, {"obv", c.obv}, {"ogv", c.ogv},
                    {"bcf", fmt::format("0x{:04x}", c.bcf)}, {"cvb", c.cvb}, {"dlb", c.dlb},
                    {"cdb", c.cdb}, {"ddb", c.ddb}, {"drb", c.drb}, {"cib", c.cib}}}};
}

WatchdogResult DcdcBattDriver::watchdog_tick() {
  WatchdogResult out;
  if (battery_ == nullptr) return out;
  auto r = battery_->read();
  if (r) {
    out.reading = *r;
    permission_ = r->permission;
  } else {
    out.error = r.error();
  }
  // A battery that denies, or that cannot be read, must not be charged or discharged.
  if (o_.force_wait_on_deny && (!r || r->permission == BatteryPermission::kDeny)) {
    auto w = link_.transact(kCmd1_4, {kModeWaiting});
    mode_ = w ? std::optional{(*w)[0]} : std::nullopt;
    out.forced_wait = w.has_value();
  }
  return out;
}

void DcdcBattDriver::note_contact(TimePoint now) {
  last_contact_ = now;
  silence_handled_ = false;
}

WatchdogResult DcdcBattDriver::silence_tick(TimePoint now, Duration bound) {
  WatchdogResult out;
  if (!last_contact_) last_contact_ = now;
  if (silence_handled_ || now - *last_contact_ < bound) return out;
  if (mode_ != kModeWaiting) {
    force_waiting();
    if (mode_ != kModeWaiting) {
      out.error = Error::not_available("the converter did not take the Waiting command; trying again");
      return out;
    }
    out.forced_wait = true;
  }
  silence_handled_ = true;
  return out;
}

}  // namespace wattshare::eza
