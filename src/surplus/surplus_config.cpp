#include "surplus/surplus_config.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <string_view>

#include <fmt/format.h>

#include "core/apis_time.hpp"
#include "core/json_fields.hpp"
#include "core/time_zone.hpp"

namespace wattshare::surplus {
namespace {

constexpr std::array<std::string_view, 7> kDays{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

// An unknown key is most often a typo of a known one: refuse it rather than run on a default.
void refuse_unknown_keys(JsonFields& f, std::string_view object_key, std::initializer_list<std::string_view> known) {
  const Json* obj = object_key.empty() ? &f.root() : f.find(object_key);
  if (obj == nullptr || !obj->is_object()) return;
  for (const auto& [key, value] : obj->items()) {
    if (key.starts_with('#') || key.starts_with("_comment")) continue;  // comments, APIS style
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      f.fail(object_key.empty() ? key : fmt::format("{}.{}", object_key, key), "unknown key");
    }
  }
}

std::optional<int> parse_hhmm(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  for (int i : {0, 1, 3, 4}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  const int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

Mode read_mode(JsonFields& f, const std::string& key, Mode fallback) {
  const std::string text = f.string_or(key, std::string(to_string(fallback)));
  if (auto m = parse_mode(text)) return *m;
  f.fail(key, fmt::format("unknown mode \"{}\" ({})", text, kModeChoices));
  return fallback;
}

double positive(JsonFields& f, const std::string& key, double fallback, double max) {
  const double v = f.number_or(key, fallback);
  if (!(v > 0 && v <= max)) {
    f.fail(key, fmt::format("must be > 0 and <= {}, got {}", max, v));
    return fallback;
  }
  return v;
}

double non_negative(JsonFields& f, const std::string& key, double fallback, double max) {
  const double v = f.number_or(key, fallback);
  if (!(v >= 0 && v <= max)) {
    f.fail(key, fmt::format("must be between 0 and {}, got {}", max, v));
    return fallback;
  }
  return v;
}

int tcp_port(JsonFields& f, const std::string& key, int fallback, bool zero_allowed) {
  const long long v = f.integer_or(key, fallback);
  if (v < (zero_allowed ? 0 : 1) || v > 65535) {
    f.fail(key, fmt::format("must be a TCP port ({}–65535), got {}", zero_allowed ? 0 : 1, v));
    return fallback;
  }
  return static_cast<int>(v);
}

// One window at `key`: {"from": "21:00", "to": "07:00", "days": ["mon", …]} (days default to
// every day) and, for the EV (`max_amps` > 0), its "amps" (default max_amps).
void read_window(JsonFields& f, const std::string& key, Schedule::Entry& e, double max_amps) {
  refuse_unknown_keys(f, key, max_amps > 0 ? std::initializer_list<std::string_view>{"from", "to", "days", "amps"}
                                           : std::initializer_list<std::string_view>{"from", "to", "days"});
  Window& w = e.window;
  for (auto [name, slot] : {std::pair{"from", &w.from_min}, std::pair{"to", &w.to_min}}) {
    const std::string k = fmt::format("{}.{}", key, name);
    const std::string text = f.string_or(k, "");
    if (text.empty() && f.find(k) == nullptr) continue;
    if (auto m = parse_hhmm(text)) {
      *slot = *m;
    } else {
      f.fail(k, fmt::format("expected a time \"HH:MM\", got \"{}\"", text));
    }
  }
  if (max_amps > 0) {
    e.amps = positive(f, key + ".amps", max_amps, 80);
    if (e.amps > max_amps) f.fail(key + ".amps", fmt::format("must not exceed max_a ({} > {})", e.amps, max_amps));
  }
  if (f.find(key + ".days") == nullptr) return;
  w.days = 0;
  for (const auto& d : f.string_list(key + ".days")) {
    const auto it = std::find(kDays.begin(), kDays.end(), d);
    if (it == kDays.end()) {
      f.fail(key + ".days", fmt::format("unknown day \"{}\" (mon, tue, wed, thu, fri, sat, sun)", d));
      continue;
    }
    w.days |= static_cast<std::uint8_t>(1u << (it - kDays.begin()));
  }
  if (w.days == 0) f.fail(key + ".days", "no day chosen");
}

// "<load>.schedule": one window or a list of up to four.
void read_schedule(JsonFields& f, const std::string& load, Schedule& s, double max_amps) {
  const std::string key = load + ".schedule";
  const Json* j = f.find(key);
  if (j == nullptr) return;
  std::vector<std::string> keys;
  if (j->is_object()) {
    keys.push_back(key);
  } else if (j->is_array() && !j->empty() && j->size() <= s.entries.size()) {
    for (std::size_t i = 0; i < j->size(); ++i) keys.push_back(fmt::format("{}.{}", key, i));
  } else {
    f.fail(key, fmt::format("expected a window {{\"from\": \"HH:MM\", \"to\": \"HH:MM\"}} or a list of 1 to {}, got {}",
                            s.entries.size(), describe_json(*j)));
    return;
  }
  for (const auto& k : keys) {
    if (f.object(k) == nullptr) continue;
    read_window(f, k, s.entries[s.count++], max_amps);
  }
}

struct HttpUrl {
  std::string host;
  int port = 80;
  std::string target;
};

// `key`: "http://host[:port]/path?query", with `placeholder` in it when one is given.
std::optional<HttpUrl> read_http_url(JsonFields& f, const std::string& key, std::string_view placeholder) {
  const std::string url = f.string(key);
  const std::string scheme = "http://";
  HttpUrl h;
  if (!url.starts_with(scheme)) {
    f.fail(key, fmt::format("expected \"http://host[:port]/path?…{}…\", got \"{}\"", placeholder, url));
    return std::nullopt;
  }
  const std::string rest = url.substr(scheme.size());
  const auto slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  h.target = slash == std::string::npos ? "/" : rest.substr(slash);
  const auto colon = authority.rfind(':');
  h.host = authority.substr(0, colon);
  if (colon != std::string::npos) {
    int port = 0;
    const std::string digits = authority.substr(colon + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc{} || end != digits.data() + digits.size() || port < 1 || port > 65535) {
      f.fail(key, fmt::format("bad port \"{}\" in \"{}\"", digits, url));
      return std::nullopt;
    }
    h.port = port;
  }
  if (h.host.empty() || h.host.find_first_of("@ ") != std::string::npos) {
    f.fail(key, fmt::format("no host in \"{}\"", url));
    return std::nullopt;
  }
  if (!placeholder.empty() && h.target.find(placeholder) == std::string::npos) {
    f.fail(key, fmt::format("\"{}\" has no {} for the value to set", url, placeholder));
    return std::nullopt;
  }
  return h;
}

// An MQTT topic to publish to or read from: no wildcards (a device's one topic).
std::string read_topic(JsonFields& f, const std::string& key) {
  std::string t = f.string(key);
  if (f.find(key) != nullptr && (t.empty() || t.find_first_of("+#") != std::string::npos)) {
    f.fail(key, fmt::format("must be a topic without wildcards, got \"{}\"", t));
  }
  return t;
}

// "<key>": {"url": …, "field": …, "timeout_ms": …} or {"topic": …, "field": …}.
// `check_keys` false: the caller's object has keys of its own, and checks them.
std::optional<ValueSource> read_value_source(JsonFields& f, const std::string& key, bool check_keys = true) {
  if (f.object(key) == nullptr) return std::nullopt;
  if (check_keys) refuse_unknown_keys(f, key, {"url", "topic", "field", "timeout_ms"});
  ValueSource v;
  const bool http = f.find(key + ".url") != nullptr, mqtt = f.find(key + ".topic") != nullptr;
  if (http == mqtt) {
    f.fail(key, http ? "give \"url\" or \"topic\", not both"
                     : "needs \"url\" (a JSON answer over HTTP) or \"topic\" (an MQTT topic)");
    return std::nullopt;
  }
  v.field = f.string_or(key + ".field", "");  // none: the answer is the number
  v.timeout_ms = static_cast<int>(positive(f, key + ".timeout_ms", v.timeout_ms, 60000));
  if (mqtt) {
    v.kind = ValueSource::Kind::kMqtt;
    v.topic = read_topic(f, key + ".topic");
    return v;
  }
  auto url = read_http_url(f, key + ".url", "");
  if (!url) return std::nullopt;
  v.host = url->host;
  v.port = url->port;
  v.target = url->target;
  return v;
}

// A Shelly energy meter's status call and its total power (import positive).
struct ShellyModel {
  std::string_view name, target, field;
};
constexpr std::array<ShellyModel, 4> kShellyModels{{
    {"em", "/status", "emeters.*.power"},                 // Gen1 EM: the sum of its two clamps
    {"3em", "/status", "total_power"},                    // Gen1 3EM
    {"pro3em", "/rpc/EM.GetStatus?id=0", "total_act_power"},  // Gen2 Pro 3EM
    {"proem", "/rpc/EM1.GetStatus?id=0", "act_power"},    // Gen2 Pro EM, its first channel
}};

void read_site(JsonFields& f, SurplusConfig& c) {
  const std::string type = f.string_or("site.type", "emulated");
  SiteConfig& s = c.site;
  if (type == "emulated") {
    refuse_unknown_keys(f, "site", {"type", "pv_kwp", "load_kwh", "seed", "ev_daily_kwh", "ev_battery_kwh",
                                    "heater_w", "relay_load_w", "acceleration", "start", "start_hour", "latitude",
                                    "longitude", "battery_kwh", "battery_w", "car_phases"});
    s.kind = SiteConfig::Kind::kEmulated;
    s.house.pv_kwp = non_negative(f, "site.pv_kwp", s.house.pv_kwp, 100);
    s.house.load_kwh = non_negative(f, "site.load_kwh", s.house.load_kwh, 100000);
    s.house.seed = static_cast<std::uint64_t>(non_negative(f, "site.seed", 1, 1e15));
    s.house.ev_daily_kwh = non_negative(f, "site.ev_daily_kwh", s.house.ev_daily_kwh, 200);
    s.house.ev_battery_kwh = positive(f, "site.ev_battery_kwh", s.house.ev_battery_kwh, 500);
    s.house.heater_w = non_negative(f, "site.heater_w", s.house.heater_w, 20000);
    s.house.relay_load_w = non_negative(f, "site.relay_load_w", s.house.relay_load_w, 20000);
    s.house.battery_kwh = non_negative(f, "site.battery_kwh", s.house.battery_kwh, 1000);
    s.house.battery_w = positive(f, "site.battery_w", s.house.battery_w, 100000);
    s.house.where.latitude_deg = f.number_or("site.latitude", s.house.where.latitude_deg);
    if (std::abs(s.house.where.latitude_deg) > 90) f.fail("site.latitude", "must be in −90…90");
    s.house.where.longitude_deg = f.number_or("site.longitude", s.house.where.longitude_deg);
    if (std::abs(s.house.where.longitude_deg) > 180) f.fail("site.longitude", "must be in −180…180");
    // The physics' standard time: the zone's offset outside summer time (the smaller of January's and July's).
    const TimeZone& z = c.router.zone;
    s.house.where.utc_offset_h = to_seconds(std::min(z.offset_at(from_civil(2021, 1, 15)), z.offset_at(from_civil(2021, 7, 15)))) / 3600;
    s.acceleration = positive(f, "site.acceleration", 1, 100000);
    if (f.find("site.car_phases") != nullptr) {
      const long long p = f.integer("site.car_phases");
      if (p < 1 || p > 3) {
        f.fail("site.car_phases", fmt::format("must be 1, 2 or 3, got {}", p));
      } else {
        s.car_phases = static_cast<int>(p);
      }
    }
    if (f.find("site.start") != nullptr) {
      const std::string text = f.string("site.start");
      auto d = parse_iso_date(text);
      const double hour = non_negative(f, "site.start_hour", 0, 23.99);
      if (d) {
        s.start = z.from_local(*d + from_seconds(hour * 3600));
      } else {
        f.fail("site.start", d.error().message);
      }
    }
  } else if (type == "sunspec") {
    refuse_unknown_keys(f, "site", {"type", "host", "port", "unit_id", "timeout_ms", "invert", "meter"});
    s.kind = SiteConfig::Kind::kSunSpec;
    s.host = f.string("site.host");
    s.port = tcp_port(f, "site.port", s.port, false);
    s.unit_id = static_cast<int>(non_negative(f, "site.unit_id", s.unit_id, 247));
    s.timeout_ms = static_cast<int>(positive(f, "site.timeout_ms", s.timeout_ms, 60000));
    s.invert = f.boolean_or("site.invert", false);
    const long long meter = f.integer_or("site.meter", 1);
    if (meter < 1 || meter > 3) {
      f.fail("site.meter", fmt::format("must be 1, 2 or 3, got {}", meter));
    } else {
      s.meter = static_cast<int>(meter);
    }
  } else if (type == "shelly") {
    refuse_unknown_keys(f, "site", {"type", "host", "port", "model", "timeout_ms", "invert"});
    s.kind = SiteConfig::Kind::kHttp;
    const std::string model = f.string("site.model");
    const auto* m = std::find_if(kShellyModels.begin(), kShellyModels.end(), [&](const auto& k) { return k.name == model; });
    if (m == kShellyModels.end()) {
      f.fail("site.model", fmt::format("unknown Shelly meter \"{}\" (em, 3em, pro3em or proem)", model));
    } else {
      s.meter_value = {.host = f.string("site.host"), .port = tcp_port(f, "site.port", 80, false),
                       .target = std::string(m->target), .field = std::string(m->field)};
    }
    s.meter_value.timeout_ms = static_cast<int>(positive(f, "site.timeout_ms", 1000, 60000));
    s.invert = !f.boolean_or("site.invert", false);  // a Shelly counts import as positive
  } else if (type == "http" || type == "mqtt") {
    refuse_unknown_keys(f, "site", {"type", "url", "topic", "field", "timeout_ms", "sign"});
    s.kind = type == "http" ? SiteConfig::Kind::kHttp : SiteConfig::Kind::kMqtt;
    if (f.find(type == "http" ? "site.topic" : "site.url") != nullptr) {
      f.fail(type == "http" ? "site.topic" : "site.url", fmt::format("not for a site of type \"{}\"", type));
    }
    if (auto v = read_value_source(f, "site", false)) s.meter_value = *v;
    const std::string sign = f.string("site.sign");
    if (sign == "import_positive") {
      s.invert = true;
    } else if (sign != "export_positive" && f.find("site.sign") != nullptr) {
      f.fail("site.sign", fmt::format("expected \"import_positive\" or \"export_positive\", got \"{}\"", sign));
    }
  } else {
    f.fail("site.type", fmt::format("unknown site \"{}\" (emulated, sunspec, shelly, http or mqtt)", type));
  }
}

void read_battery(JsonFields& f, SurplusConfig& c) {
  if (f.object("battery", false) == nullptr) return;
  refuse_unknown_keys(f, "battery", {"device", "priority_soc", "buffer_soc", "base", "power", "soc", "sign"});
  BatteryDeviceConfig& b = c.battery;
  const std::string device = f.string("battery.device");
  if (device == "emulated") {
    b.kind = BatteryDeviceConfig::Kind::kEmulated;
    if (c.site.kind != SiteConfig::Kind::kEmulated) f.fail("battery.device", "\"emulated\" needs the emulated site");
    if (c.site.house.battery_kwh <= 0) c.site.house.battery_kwh = 10;
  } else if (device == "solaredge") {
    b.kind = BatteryDeviceConfig::Kind::kSolarEdge;
    if (c.site.kind != SiteConfig::Kind::kSunSpec) {
      f.fail("battery.device", "\"solaredge\" reads the inverter's battery registers: it needs site.type \"sunspec\"");
    }
    const long long base = f.integer_or("battery.base", b.solaredge_base);
    if (base != 0xE100 && base != 0xE200 && base != 0xF500) {
      f.fail("battery.base", fmt::format("must be 57600 (0xE100, battery 1), 57856 (0xE200, battery 2) or 62720 (0xF500), got {}", base));
    } else {
      b.solaredge_base = static_cast<int>(base);
    }
  } else if (device == "sunspec") {
    b.kind = BatteryDeviceConfig::Kind::kSunSpec;
    if (c.site.kind != SiteConfig::Kind::kSunSpec) {
      f.fail("battery.device", "\"sunspec\" reads the battery model (802) of the site's map: it needs site.type \"sunspec\"");
    }
    b.power_discharge_positive = true;  // SunSpec's sign
  } else if (device == "mqtt") {
    b.kind = BatteryDeviceConfig::Kind::kMqtt;
    for (const char* which : {"power", "soc"}) {
      const std::string key = fmt::format("battery.{}", which);
      auto v = read_value_source(f, key);
      if (v && v->kind != ValueSource::Kind::kMqtt) f.fail(key, "needs \"topic\" (an MQTT battery)");
      if (v) (std::string_view(which) == "power" ? b.power : b.soc) = *v;
    }
  } else {
    f.fail("battery.device", fmt::format("unknown battery \"{}\" (emulated, solaredge, sunspec or mqtt)", device));
  }
  if (f.find("battery.sign") != nullptr) {  // the source's sign, when it is not the usual one
    const std::string sign = f.string("battery.sign");
    if (sign == "discharge_positive" || sign == "charge_positive") {
      b.power_discharge_positive = sign == "discharge_positive";
    } else {
      f.fail("battery.sign", fmt::format("expected \"charge_positive\" or \"discharge_positive\", got \"{}\"", sign));
    }
  }
  BatterySettings& r = c.router.battery;
  r.priority_soc = non_negative(f, "battery.priority_soc", r.priority_soc, 100);
  if (f.find("battery.buffer_soc") != nullptr) {
    r.buffer_soc = non_negative(f, "battery.buffer_soc", 100, 100);
    if (*r.buffer_soc < r.priority_soc) {
      f.fail("battery.buffer_soc", fmt::format("must not be below priority_soc ({} < {})", *r.buffer_soc, r.priority_soc));
    }
  }
}

void read_ev(JsonFields& f, SurplusConfig& c) {
  refuse_unknown_keys(f, "ev", {"device", "serial", "baud", "mode", "volts", "phases", "min_a", "max_a",
                                "enable_delay_s", "disable_delay_s", "step_s", "safe_a", "schedule"});
  const std::string device = f.string_or("ev.device", "emulated");
  if (device == "none") {
    c.ev.kind = EvDeviceConfig::Kind::kNone;
  } else if (device == "emulated") {
    c.ev.kind = EvDeviceConfig::Kind::kEmulated;
  } else if (device == "twc") {
    c.ev.kind = EvDeviceConfig::Kind::kTwc;
    c.ev.serial = f.string("ev.serial");
    c.ev.baud = static_cast<int>(positive(f, "ev.baud", c.ev.baud, 4000000));
  } else {
    f.fail("ev.device", fmt::format("unknown EV charger \"{}\" (none, emulated or twc)", device));
  }
  EvSettings& e = c.router.ev;
  e.mode = read_mode(f, "ev.mode", e.mode);
  e.volts = positive(f, "ev.volts", e.volts, 480);
  const long long phases = f.integer_or("ev.phases", e.phases);
  if (phases != 1 && phases != 3) {
    f.fail("ev.phases", fmt::format("must be 1 or 3, got {}", phases));
  } else {
    e.phases = static_cast<int>(phases);
  }
  e.min_a = positive(f, "ev.min_a", e.min_a, 80);
  e.max_a = positive(f, "ev.max_a", e.max_a, 80);
  if (e.min_a > e.max_a) f.fail("ev.min_a", fmt::format("must not exceed max_a ({} > {})", e.min_a, e.max_a));
  e.enable_delay = from_seconds(non_negative(f, "ev.enable_delay_s", to_seconds(e.enable_delay), 86400));
  e.disable_delay = from_seconds(non_negative(f, "ev.disable_delay_s", to_seconds(e.disable_delay), 86400));
  e.step = from_seconds(non_negative(f, "ev.step_s", to_seconds(e.step), 3600));
  e.safe_a = non_negative(f, "ev.safe_a", e.safe_a, 80);
  if (e.safe_a > e.max_a) f.fail("ev.safe_a", fmt::format("must not exceed max_a ({} > {})", e.safe_a, e.max_a));
  read_schedule(f, "ev", e.schedule, e.max_a);
}

// "<load>.url" with `placeholder`, "<load>.timeout_ms".
std::optional<HttpOutputConfig> read_http_output(JsonFields& f, const std::string& load, std::string_view placeholder) {
  auto url = read_http_url(f, load + ".url", placeholder);
  const int timeout_ms = static_cast<int>(positive(f, load + ".timeout_ms", 1000, 60000));
  if (!url) return std::nullopt;
  HttpOutputConfig h;
  h.host = url->host;
  h.port = url->port;
  h.target = url->target;
  h.timeout_ms = timeout_ms;
  return h;
}

// "<load>.device" "mqtt": "<load>.command_topic", "<load>.payload", "<load>.state_topic", "<load>.state_field".
std::optional<MqttOutputConfig> read_mqtt_output(JsonFields& f, const std::string& load, std::string_view placeholder,
                                                 std::string default_payload) {
  MqttOutputConfig m;
  m.command_topic = read_topic(f, load + ".command_topic");
  m.payload = f.string_or(load + ".payload", std::move(default_payload));
  const bool has_placeholder = placeholder == "{on}" ? m.payload.find("{on}") != std::string::npos
                                                     : m.payload.find("{pct}") != std::string::npos ||
                                                           m.payload.find("{b255}") != std::string::npos;
  if (!has_placeholder) {
    f.fail(load + ".payload", fmt::format("\"{}\" has no {} for the value to set", m.payload,
                                          placeholder == "{on}" ? "{on}" : "{pct} or {b255}"));
  }
  m.state_topic = read_topic(f, load + ".state_topic");
  m.state_field = f.string_or(load + ".state_field", "");
  m.state_max = positive(f, load + ".state_max", m.state_max, 65535);
  m.on_word = f.string_or(load + ".on", m.on_word);
  m.off_word = f.string_or(load + ".off", m.off_word);
  return m;
}

void read_dimmer(JsonFields& f, SurplusConfig& c) {
  refuse_unknown_keys(f, "dimmer", {"device", "output", "mains_hz", "rated_w", "mode", "max_temperature_c",
                                    "restart_below_c", "schedule", "url", "timeout_ms", "temperature", "command_topic",
                                    "payload", "state_topic", "state_field", "state_max"});
  const std::string device = f.string_or("dimmer.device", "emulated");
  if (device != "emulated" && device != "none" && device != "http" && device != "mqtt") {
    f.fail("dimmer.device", fmt::format("unknown dimmer \"{}\" (none, emulated, http or mqtt)", device));
  }
  c.dimmer.present = device != "none";
  if (device == "http") c.dimmer.http = read_http_output(f, "dimmer", "{pct}");
  if (device == "mqtt") c.dimmer.mqtt = read_mqtt_output(f, "dimmer", "{pct}", "{pct}");
  if (f.object("dimmer.temperature", false) != nullptr) c.dimmer.temperature = read_value_source(f, "dimmer.temperature");
  const std::string output = f.string_or("dimmer.output", "phase_angle");
  if (output == "phase_angle") {
    c.dimmer.output = DimmerOutput::kPhaseAngle;
  } else if (output == "burst_fire") {
    c.dimmer.output = DimmerOutput::kBurstFire;
  } else {
    f.fail("dimmer.output", fmt::format("unknown output \"{}\" (phase_angle or burst_fire)", output));
  }
  c.dimmer.mains_hz = f.number_or("dimmer.mains_hz", 50);
  if (c.dimmer.mains_hz != 50 && c.dimmer.mains_hz != 60) {
    f.fail("dimmer.mains_hz", fmt::format("must be 50 or 60, got {}", c.dimmer.mains_hz));
  }
  DimmerSettings& d = c.router.dimmer;
  d.mode = read_mode(f, "dimmer.mode", d.mode);
  d.rated_w = c.dimmer.present ? positive(f, "dimmer.rated_w", c.site.house.heater_w, 20000) : 0;
  d.max_temperature_c = positive(f, "dimmer.max_temperature_c", d.max_temperature_c, 95);
  d.restart_below_c = positive(f, "dimmer.restart_below_c", d.restart_below_c, 95);
  if (d.restart_below_c >= d.max_temperature_c) {
    f.fail("dimmer.restart_below_c",
           fmt::format("must be below max_temperature_c ({} >= {})", d.restart_below_c, d.max_temperature_c));
  }
  read_schedule(f, "dimmer", d.schedule, 0);
}

void read_relay(JsonFields& f, SurplusConfig& c) {
  if (f.object("relay", false) == nullptr) return;
  refuse_unknown_keys(f, "relay", {"device", "rated_w", "mode", "min_on_s", "min_off_s", "schedule", "url",
                                   "timeout_ms", "on", "off", "command_topic", "payload", "state_topic", "state_field"});
  const std::string device = f.string_or("relay.device", "emulated");
  if (device != "emulated" && device != "none" && device != "http" && device != "mqtt") {
    f.fail("relay.device", fmt::format("unknown relay \"{}\" (none, emulated, http or mqtt)", device));
  }
  c.relay_present = device != "none";
  if (device == "mqtt") c.relay_mqtt = read_mqtt_output(f, "relay", "{on}", "{on}");
  if (device == "http") {
    c.relay_http = read_http_output(f, "relay", "{on}");
    if (c.relay_http) {
      c.relay_http->on_word = f.string_or("relay.on", c.relay_http->on_word);
      c.relay_http->off_word = f.string_or("relay.off", c.relay_http->off_word);
    }
  }
  RelaySettings& r = c.router.relay;
  r.mode = read_mode(f, "relay.mode", r.mode);
  r.rated_w = c.relay_present ? positive(f, "relay.rated_w", std::max(c.site.house.relay_load_w, 1000.0), 20000) : 0;
  r.min_on = from_seconds(non_negative(f, "relay.min_on_s", to_seconds(r.min_on), 86400));
  r.min_off = from_seconds(non_negative(f, "relay.min_off_s", to_seconds(r.min_off), 86400));
  read_schedule(f, "relay", r.schedule, 0);
  if (c.relay_present && c.site.kind == SiteConfig::Kind::kEmulated && c.site.house.relay_load_w <= 0) {
    c.site.house.relay_load_w = r.rated_w;
  }
}

void read_mqtt(JsonFields& f, SurplusConfig& c) {
  if (f.object("mqtt", false) == nullptr) return;
  refuse_unknown_keys(f, "mqtt", {"host", "port", "prefix", "keepalive_s", "homeassistant", "discovery_prefix",
                                  "domoticz", "username", "password_file", "tls"});
  MqttConfig& m = c.mqtt;
  m.enabled = true;
  m.host = f.string_or("mqtt.host", m.host);
  m.port = tcp_port(f, "mqtt.port", m.port, false);
  m.prefix = f.string_or("mqtt.prefix", "wattshare/" + c.name);
  if (m.prefix.empty() || m.prefix.find_first_of("+#") != std::string::npos || m.prefix.back() == '/') {
    f.fail("mqtt.prefix", fmt::format("must be a topic without wildcards or a trailing '/', got \"{}\"", m.prefix));
  }
  m.keepalive_s = static_cast<int>(positive(f, "mqtt.keepalive_s", m.keepalive_s, 65535));
  m.homeassistant = f.boolean_or("mqtt.homeassistant", m.homeassistant);
  m.discovery_prefix = f.string_or("mqtt.discovery_prefix", m.discovery_prefix);
  m.username = f.string_or("mqtt.username", "");
  m.password_file = f.string_or("mqtt.password_file", "");
  if (!m.password_file.empty() && m.username.empty()) f.fail("mqtt.password_file", "needs mqtt.username");
  if (f.object("mqtt.tls", false) != nullptr) {
    refuse_unknown_keys(f, "mqtt.tls", {"ca_file", "cert_file", "key_file"});
    m.ca_file = f.string_or("mqtt.tls.ca_file", "");
    m.cert_file = f.string_or("mqtt.tls.cert_file", "");
    m.key_file = f.string_or("mqtt.tls.key_file", "");
    if (m.ca_file.empty()) f.fail("mqtt.tls.ca_file", "missing: the CA that signed the broker's certificate");
    if (m.cert_file.empty() != m.key_file.empty()) f.fail("mqtt.tls", "cert_file and key_file go together");
  }
  if (f.object("mqtt.domoticz", false) == nullptr) return;
  refuse_unknown_keys(f, "mqtt.domoticz", {"topic", "idx"});
  m.domoticz_topic = f.string_or("mqtt.domoticz.topic", m.domoticz_topic);
  const Json* idx = f.object("mqtt.domoticz.idx");
  if (idx == nullptr) return;
  for (const auto& item : idx->items()) {
    const std::string& field = item.key();
    const Json& value = item.value();
    const std::string key = "mqtt.domoticz.idx." + field;
    if (std::find_if(std::begin(kDomoticzFields), std::end(kDomoticzFields),
                     [&](const char* known) { return field == known; }) == std::end(kDomoticzFields)) {
      f.fail(key, "unknown status field (surplus_w, grid_export_w, ev_amps, ev_power_w, dimmer_pct, "
                  "dimmer_power_w, relay_on)");
      continue;
    }
    const auto idx = whole_number<int>(value);
    if (!idx || *idx <= 0) {
      f.fail(key, fmt::format("expected a positive integer Domoticz idx, got {}", describe_json(value)));
      continue;
    }
    m.domoticz_idx[field] = *idx;
  }
}

}  // namespace

tl::expected<SurplusConfig, Error> parse_surplus_config(const Json& doc, const std::string& origin) {
  JsonFields f{doc, origin};
  if (!f.root_is_object()) return tl::unexpected(f.failure());
  refuse_unknown_keys(f, "", {"name", "cycle_s", "reserve_w", "stale_after_s", "settle_s", "dead_band_w",
                              "utc_offset_h", "time_zone", "site", "ev", "dimmer", "relay", "battery", "http",
                              "mqtt", "tariff"});
  SurplusConfig c;
  c.name = f.string_or("name", c.name);
  if (c.name.empty() || c.name.find_first_of("/+# ") != std::string::npos) {
    f.fail("name", fmt::format("must be a non-empty word without '/', '+', '#' or spaces, got \"{}\"", c.name));
  }
  c.cycle = from_seconds(positive(f, "cycle_s", 1, 60));
  RouterSettings& r = c.router;
  r.reserve_w = non_negative(f, "reserve_w", r.reserve_w, 100000);
  r.stale_after = from_seconds(positive(f, "stale_after_s", to_seconds(r.stale_after), 3600));
  r.settle = from_seconds(non_negative(f, "settle_s", to_seconds(r.settle), 600));
  r.dead_band_w = non_negative(f, "dead_band_w", r.dead_band_w, 100000);
  if (r.stale_after < c.cycle) {
    f.fail("stale_after_s", fmt::format("must be at least cycle_s ({} < {})", to_seconds(r.stale_after),
                                        to_seconds(c.cycle)));
  }
  if (f.find("time_zone") != nullptr) {
    if (f.find("utc_offset_h") != nullptr) f.fail("utc_offset_h", "give either time_zone or utc_offset_h");
    if (auto z = TimeZone::locate(f.string("time_zone"))) {
      r.zone = *z;
    } else {
      f.fail("time_zone", z.error().message);
    }
  } else {
    const double offset_h = f.number_or("utc_offset_h", 9);
    if (!(offset_h >= -12 && offset_h <= 14)) f.fail("utc_offset_h", fmt::format("must be in −12…14, got {}", offset_h));
    r.zone = TimeZone::fixed(from_seconds(std::clamp(offset_h, -12.0, 14.0) * 3600));
  }
  bool sections_ok = true;  // the readers below need their objects; other problems are reported with theirs
  for (const char* section : {"site", "ev", "dimmer", "relay", "battery", "http", "mqtt", "tariff"}) {
    const Json* j = f.find(section);
    if (j != nullptr && !j->is_object()) {
      f.object(section, false);
      sections_ok = false;
    }
  }
  if (!sections_ok) return tl::unexpected(f.failure());
  read_site(f, c);
  read_ev(f, c);
  read_dimmer(f, c);

  read_relay(f, c);
  read_battery(f, c);
  // A real device beside an emulated house would be driven by a house that does not exist.
  if (c.site.kind == SiteConfig::Kind::kEmulated) {
    if (c.dimmer.http || c.dimmer.mqtt) f.fail("dimmer.device", "a real dimmer needs a real site (site.type \"sunspec\", \"shelly\", \"http\" or \"mqtt\")");
    if (c.dimmer.temperature) f.fail("dimmer.temperature", "the emulated house has its own tank: a real thermometer needs a real site");
    if (c.relay_http || c.relay_mqtt) f.fail("relay.device", "a real relay needs a real site (site.type \"sunspec\", \"shelly\", \"http\" or \"mqtt\")");
  }
  if (c.site.kind == SiteConfig::Kind::kEmulated) c.site.house.ev_w_per_a = r.ev.volts * c.site.car_phases.value_or(r.ev.phases);
  refuse_unknown_keys(f, "http", {"listen", "port"});
  c.http_listen = f.string_or("http.listen", c.http_listen);
  c.http_port = tcp_port(f, "http.port", c.http_port, true);
  read_mqtt(f, c);
  if (f.object("tariff", false) != nullptr) {
    refuse_unknown_keys(f, "tariff", {"grid_per_kwh", "feed_in_per_kwh", "currency"});
    c.tariff = Tariff{.grid_per_kwh = non_negative(f, "tariff.grid_per_kwh", 0, 100),
                      .feed_in_per_kwh = non_negative(f, "tariff.feed_in_per_kwh", 0, 100),
                      .currency = f.string_or("tariff.currency", "EUR")};
  }
  // Devices on MQTT use the broker of the "mqtt" section.
  const bool mqtt_devices = c.site.kind == SiteConfig::Kind::kMqtt || c.dimmer.mqtt || c.relay_mqtt ||
                            c.battery.kind == BatteryDeviceConfig::Kind::kMqtt ||
                            (c.dimmer.temperature && c.dimmer.temperature->kind == ValueSource::Kind::kMqtt);
  if (mqtt_devices && !c.mqtt.enabled) f.fail("mqtt", "missing: a device on MQTT needs the broker (\"mqtt\": {\"host\": …})");
  if (!f.ok()) return tl::unexpected(f.failure());
  return c;
}

tl::expected<SurplusConfig, Error> load_surplus_config(const std::string& path) {
  auto doc = load_json_file(path);
  if (!doc) return tl::unexpected(doc.error());
  return parse_surplus_config(*doc, path);
}

namespace {
std::string replaced(std::string text, std::string_view placeholder, std::string_view value) {
  for (auto at = text.find(placeholder); at != std::string::npos; at = text.find(placeholder, at + value.size()))
    text.replace(at, placeholder.size(), value);
  return text;
}
}  // namespace

std::string HttpOutputConfig::target_for(int pct) const {
  return replaced(target, "{pct}", std::to_string(std::clamp(pct, 0, 100)));
}

std::string HttpOutputConfig::target_for(bool on) const { return replaced(target, "{on}", on ? on_word : off_word); }

std::string MqttOutputConfig::payload_for(int pct) const {
  pct = std::clamp(pct, 0, 100);
  return replaced(replaced(payload, "{pct}", std::to_string(pct)), "{b255}", std::to_string((pct * 255 + 50) / 100));
}

std::string MqttOutputConfig::payload_for(bool on) const { return replaced(payload, "{on}", on ? on_word : off_word); }

std::string ValueSource::describe() const {
  const std::string where = kind == Kind::kHttp ? fmt::format("http://{}:{}{}", host, port, target) : "mqtt " + topic;
  return field.empty() ? where : fmt::format("{} field \"{}\"", where, field);
}

}  // namespace wattshare::surplus
