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
#include "surplus/charging_sessions.hpp"
#include "surplus/dimmer_output.hpp"
#include "surplus/house_model.hpp"
#include "surplus/router.hpp"

namespace wattshare::surplus {

// A number a real device gives, over HTTP (a GET answering JSON) or MQTT (a topic's payload):
// the number at `field`, a dotted path with array indexes as numbers and "*" for the sum over an
// array (a Shelly EM's "emeters.*.power"), or the payload itself when `field` is empty (Home
// Assistant's state topics, Tasmota's plain ones).
struct ValueSource {
  enum class Kind { kHttp, kMqtt } kind = Kind::kHttp;
  std::string host;           // http
  int port = 80;
  std::string target;         // http: path and query
  int timeout_ms = 1000;
  std::string topic;          // mqtt
  std::string field;
  [[nodiscard]] std::string describe() const;  // "http://host:port/target field x", "mqtt topic field x"
};

// Where the grid meter reading comes from: the emulated house, a SunSpec inverter + meter
// (SolarEdge, Fronius: integer models 201–204 or float 211–214), a Shelly EM / 3EM / Pro 3EM /
// Pro EM over HTTP, any JSON number over HTTP, or an MQTT topic (seed 004's router's own CT,
// Tasmota SML, Home Assistant).
struct SiteConfig {
  enum class Kind { kEmulated, kSunSpec, kHttp, kMqtt } kind = Kind::kEmulated;
  HouseModelSettings house;          // emulated
  double acceleration = 1;           // emulated: house seconds per real second
  std::optional<TimePoint> start;    // emulated: the house clock's start, "start" + "start_hour" local (default: now)
  std::optional<int> car_phases;     // emulated: the car draws on these (its charger reports them), default ev.phases
  std::string host = "127.0.0.1";    // sunspec
  int port = 1502, unit_id = 1, timeout_ms = 1000;
  int meter = 1;  // sunspec: which of up to three meters is at the grid connection
  bool invert = false;  // the meter counts import as positive (Shelly, most MQTT meters)
  ValueSource meter_value;  // http, mqtt (a Shelly is http with its model's URL and field)
};

// The home battery: its power (> 0 charging) and state of charge (%). From the emulated house,
// from a SolarEdge StorEdge's battery registers over the site's SunSpec connection (float32 with
// the low word first: Instantaneous Power at base + 0x74, State of Energy at base + 0x84), from
// the SunSpec battery model (802) in the same map, or MQTT.
struct BatteryDeviceConfig {
  enum class Kind { kNone, kEmulated, kSolarEdge, kSunSpec, kMqtt } kind = Kind::kNone;
  int solaredge_base = 0xE100;        // battery 1; 0xE200 battery 2
  ValueSource power, soc;             // mqtt
  bool power_discharge_positive = false;  // the source counts discharge as positive (evcc's and SunSpec's sign)
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

// A device output driven over MQTT: `payload` (with "{pct}", "{b255}" for 0–255, or "{on}")
// published to `command_topic`; the device's own report on `state_topic` (the number at
// `state_field`, or the payload) acknowledges it. Tasmota: "cmnd/heater/Dimmer" "{pct}", state
// "stat/heater/RESULT" field "Dimmer"; its relay "cmnd/pump/POWER" "{on}" (ON/OFF), state
// "stat/pump/POWER". ESPHome: "<node>/light/<name>/command" "{\"state\":\"ON\",\"brightness\":{b255}}",
// state "<node>/light/<name>/state" field "brightness", state_max 255.
struct MqttOutputConfig {
  std::string command_topic, payload, state_topic, state_field;
  double state_max = 100;                        // a dimmer's state at full power
  std::string on_word = "ON", off_word = "OFF";  // a relay's
  [[nodiscard]] std::string payload_for(int pct) const;
  [[nodiscard]] std::string payload_for(bool on) const;
};

struct DimmerDeviceConfig {
  bool present = true;
  DimmerOutput output = DimmerOutput::kPhaseAngle;
  double mains_hz = 50;
  std::optional<HttpOutputConfig> http;  // device "http"
  std::optional<MqttOutputConfig> mqtt;  // device "mqtt"; neither: the emulated output
  std::optional<ValueSource> temperature;  // the water's, for the heater's cut-off
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
  BatteryDeviceConfig battery;
  bool relay_present = false;
  std::optional<HttpOutputConfig> relay_http;  // relay device "http"
  std::optional<MqttOutputConfig> relay_mqtt;  // relay device "mqtt"
  std::optional<Tariff> tariff;  // prices the charging sessions
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
