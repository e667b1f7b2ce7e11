// The surplus daemon's configuration file (JSON, comments allowed), read into the router's
// settings and the devices it drives. Every problem — a missing or mistyped key, a value out of
// range, an unknown key (a typo would otherwise be silently ignored) — is reported as
// "<file>: key '<a.b>': <problem>", all of them at once. Layout and defaults: examples/surplus/.
//   auto cfg = load_surplus_config("examples/surplus/emulated.json");
#pragma once

#include <map>
#include <optional>
#include <string>

#include <tl/expected.hpp>

#include "core/error.hpp"
#include "core/json_file.hpp"
#include "surplus/dimmer_output.hpp"
#include "surplus/house_model.hpp"
#include "surplus/router.hpp"

namespace wattshare::surplus {

// Where the grid meter reading comes from: the emulated house, or a SunSpec inverter + meter.
struct SiteConfig {
  enum class Kind { kEmulated, kSunSpec } kind = Kind::kEmulated;
  HouseModelSettings house;          // emulated
  double acceleration = 1;           // emulated: house seconds per real second
  std::optional<TimePoint> start;    // emulated: the house clock's start, "start" + "start_hour" local (default: now)
  std::string host = "127.0.0.1";    // sunspec
  int port = 1502, unit_id = 1, timeout_ms = 1000;
  int meter = 1;  // sunspec: which of up to three meters is at the grid connection
  bool invert = false;
};

struct EvDeviceConfig {
  enum class Kind { kNone, kEmulated, kTwc } kind = Kind::kEmulated;
  std::string serial;  // twc
  int baud = 9600;
};

// A device output driven over HTTP: a GET to a URL with a placeholder for the value. A dimmer's
// "{pct}" (0–100, whole): xlyric's ESP8266 router "http://192.168.1.50/?POWER={pct}", a Shelly
// Dimmer 2 "http://192.168.1.51/light/0?turn=on&brightness={pct}". A relay's "{on}", replaced by
// `on_word` or `off_word`: a Shelly Gen1 "http://ip/relay/0?turn={on}" (on/off), a Shelly Gen2
// "http://ip/rpc/Switch.Set?id=0&on={on}" (true/false), Tasmota "http://ip/cm?cmnd=Power%20{on}"
// (On/Off). A 2xx answer acknowledges the command.
struct HttpOutputConfig {
  std::string host;
  int port = 80;
  std::string target;  // path and query, with the placeholder
  int timeout_ms = 1000;
  std::string on_word = "on", off_word = "off";  // a relay's
  [[nodiscard]] std::string target_for(int pct) const;   // {pct}, clamped to 0–100
  [[nodiscard]] std::string target_for(bool on) const;   // {on}
};

// The water temperature read over HTTP for the heater's cut-off: a GET answering JSON, the
// number at `field` (dotted, array indexes as numbers): xlyric's router "/state" and
// "temperature", a Shelly with its add-on "/status" and "ext_temperature.0.tC".
struct HttpTemperatureConfig {
  std::string host;
  int port = 80;
  std::string target;
  std::string field;
  int timeout_ms = 1000;
};

struct DimmerDeviceConfig {
  bool present = true;
  DimmerOutput output = DimmerOutput::kPhaseAngle;
  double mains_hz = 50;
  std::optional<HttpOutputConfig> http;  // device "http"; otherwise the emulated output
  std::optional<HttpTemperatureConfig> temperature;
};

struct MqttConfig {
  bool enabled = false;
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string prefix;  // default: "wattshare/<name>"
  int keepalive_s = 30;
  bool homeassistant = true;
  std::string discovery_prefix = "homeassistant";
  std::string domoticz_topic = "domoticz/in";
  std::map<std::string, int> domoticz_idx;  // status field → Domoticz device idx
  std::string username;       // the broker's user (none: anonymous)
  std::string password_file;  // its password, first line of a file only its owner reads (never in this file)
  std::string ca_file, cert_file, key_file;  // TLS: the broker's CA; this client's certificate and key
};

struct SurplusConfig {
  std::string name = "house";
  Duration cycle = seconds(1);
  RouterSettings router;
  SiteConfig site;
  EvDeviceConfig ev;
  DimmerDeviceConfig dimmer;
  bool relay_present = false;
  std::optional<HttpOutputConfig> relay_http;  // relay device "http"
  std::string http_listen = "127.0.0.1";
  int http_port = 4383;
  MqttConfig mqtt;
};

// The status fields a Domoticz idx can be given to.
inline constexpr const char* kDomoticzFields[] = {"surplus_w", "grid_export_w", "ev_amps", "ev_power_w",
                                                  "dimmer_pct", "dimmer_power_w", "relay_on"};

[[nodiscard]] tl::expected<SurplusConfig, Error> parse_surplus_config(const Json& doc, const std::string& origin);
[[nodiscard]] tl::expected<SurplusConfig, Error> load_surplus_config(const std::string& path);

}  // namespace wattshare::surplus
