#include "surplus/surplus_config.hpp"

#include <gtest/gtest.h>

namespace wattshare::surplus {
namespace {

std::string problems(std::string_view text) {
  auto doc = parse_json_text(text, "s.json");
  if (!doc) return doc.error().message;
  auto c = parse_surplus_config(*doc, "s.json");
  return c ? std::string{} : c.error().message;
}

SurplusConfig parsed(std::string_view text) {
  auto c = parse_surplus_config(*parse_json_text(text, "s.json"), "s.json");
  EXPECT_TRUE(c) << (c ? "" : c.error().message);
  return c ? *c : SurplusConfig{};
}

TEST(SurplusConfig, ExamplesLoad) {
  auto emulated = load_surplus_config(WATTSHARE_SOURCE_DIR "/examples/surplus/emulated.json");
  ASSERT_TRUE(emulated) << emulated.error().message;
  EXPECT_EQ(emulated->name, "house-1");
  EXPECT_EQ(emulated->site.kind, SiteConfig::Kind::kEmulated);
  EXPECT_DOUBLE_EQ(emulated->site.acceleration, 60);
  EXPECT_EQ(emulated->dimmer.output, DimmerOutput::kBurstFire);
  ASSERT_EQ(emulated->router.ev.schedule.count, 1u);
  EXPECT_EQ(emulated->router.ev.schedule.entries[0].window.from_min, 23 * 60);
  EXPECT_EQ(emulated->router.ev.schedule.entries[0].window.days, 0x1F);
  EXPECT_DOUBLE_EQ(emulated->router.relay.rated_w, 1000);
  EXPECT_FALSE(emulated->mqtt.enabled);
  auto field = load_surplus_config(WATTSHARE_SOURCE_DIR "/examples/surplus/solaredge-twc.json");
  ASSERT_TRUE(field) << field.error().message;
  EXPECT_EQ(field->site.kind, SiteConfig::Kind::kSunSpec);
  EXPECT_EQ(field->ev.kind, EvDeviceConfig::Kind::kTwc);
  EXPECT_EQ(field->ev.serial, "/dev/ttyUSB0");
  EXPECT_DOUBLE_EQ(field->router.ev.safe_a, 6);
  EXPECT_EQ(field->router.ev.schedule.entries[0].window.days, 0x5F);  // weekdays and Sunday evening
  EXPECT_DOUBLE_EQ(field->router.dimmer.rated_w, 0);
  EXPECT_TRUE(field->mqtt.enabled);
  EXPECT_EQ(field->mqtt.domoticz_idx.at("ev_amps"), 102);
  EXPECT_EQ(field->router.zone.name(), "Europe/Paris");
  auto shelly = load_surplus_config(WATTSHARE_SOURCE_DIR "/examples/surplus/shelly-3em-xlyric.json");
  ASSERT_TRUE(shelly) << shelly.error().message;
  EXPECT_EQ(shelly->site.meter_value.describe(), "http://192.168.1.60:80/status field \"total_power\"");
  EXPECT_TRUE(shelly->site.invert);
  EXPECT_EQ(shelly->dimmer.http->target_for(42), "/?POWER=42");
  EXPECT_EQ(shelly->dimmer.temperature->describe(), "http://192.168.1.50:80/state field \"temperature\"");
  EXPECT_EQ(shelly->relay_http->target_for(true), "/rpc/Switch.Set?id=0&on=true");
  auto storedge = load_surplus_config(WATTSHARE_SOURCE_DIR "/examples/surplus/storedge-twc.json");
  ASSERT_TRUE(storedge) << storedge.error().message;
  EXPECT_EQ(storedge->battery.kind, BatteryDeviceConfig::Kind::kSolarEdge);
  EXPECT_EQ(storedge->router.battery.priority_soc, 40);
  EXPECT_EQ(storedge->router.ev.mode, Mode::kEco);  // "pv"
}

TEST(SurplusConfig, DefaultsFromAnEmptyObject) {
  const SurplusConfig c = parsed("{}");
  EXPECT_EQ(c.site.kind, SiteConfig::Kind::kEmulated);
  EXPECT_EQ(c.router.ev.mode, Mode::kEco);
  EXPECT_DOUBLE_EQ(c.router.ev.min_a, 6);
  EXPECT_DOUBLE_EQ(c.router.dimmer.rated_w, 2000);  // the emulated heater's element
  EXPECT_DOUBLE_EQ(c.site.house.ev_w_per_a, 690);
  EXPECT_EQ(c.http_port, 4383);
  const SurplusConfig one_phase = parsed(R"({"ev": {"phases": 1, "volts": 240}})");
  EXPECT_DOUBLE_EQ(one_phase.site.house.ev_w_per_a, 240);
  EXPECT_EQ(parsed(R"({"name": "h7", "mqtt": {}})").mqtt.prefix, "wattshare/h7");
}

TEST(SurplusConfig, AnHttpDimmersUrlTakesThePowerShare) {
  auto c = parse_surplus_config(parse_json_text(R"({"site": {"type": "sunspec", "host": "h"},
      "dimmer": {"device": "http", "url": "http://192.168.1.51:8080/light/0?turn=on&brightness={pct}", "rated_w": 2000}})",
                                                "s.json").value(), "s.json");
  ASSERT_TRUE(c.has_value()) << c.error().message;
  ASSERT_TRUE(c->dimmer.http.has_value());
  EXPECT_EQ(c->dimmer.http->host, "192.168.1.51");
  EXPECT_EQ(c->dimmer.http->port, 8080);
  EXPECT_EQ(c->dimmer.http->target_for(37), "/light/0?turn=on&brightness=37");
  EXPECT_EQ(c->dimmer.http->target_for(140), "/light/0?turn=on&brightness=100");
  EXPECT_DOUBLE_EQ(c->router.dimmer.rated_w, 2000);
  // A Shelly Gen2 relay: its words for on and off.
  auto r = parse_surplus_config(parse_json_text(R"({"site": {"type": "sunspec", "host": "h"},
      "relay": {"device": "http", "url": "http://10.0.0.7/rpc/Switch.Set?id=0&on={on}", "on": "true", "off": "false"}})",
                                                "s.json").value(), "s.json");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_TRUE(r->relay_http.has_value());
  EXPECT_EQ(r->relay_http->target_for(true), "/rpc/Switch.Set?id=0&on=true");
  EXPECT_EQ(r->relay_http->target_for(false), "/rpc/Switch.Set?id=0&on=false");
}

TEST(SurplusConfig, EveryProblemNamesTheFileTheKeyAndWhatIsWrong) {
  EXPECT_EQ(problems("[1]"), "s.json: expected a JSON object at the top level");
  EXPECT_EQ(problems(R"({"reserve": 50})"), "s.json: key 'reserve': unknown key");
  EXPECT_EQ(problems(R"({"ev": {"mode": "turbo"}})"),
            "s.json: key 'ev.mode': unknown mode \"turbo\" (off, eco or pv, boost or now, minpv, scheduled)");
  EXPECT_EQ(problems(R"({"ev": {"min_a": 20, "max_a": 16}})"), "s.json: key 'ev.min_a': must not exceed max_a (20 > 16)");
  EXPECT_EQ(problems(R"({"ev": {"phases": 2}})"), "s.json: key 'ev.phases': must be 1 or 3, got 2");
  EXPECT_EQ(problems(R"({"ev": {"device": "twc"}})"), "s.json: key 'ev.serial': missing (expected a string)");
  EXPECT_EQ(problems(R"({"ev": {"schedule": {"from": "25:00"}}})"),
            "s.json: key 'ev.schedule.from': expected a time \"HH:MM\", got \"25:00\"");
  EXPECT_EQ(problems(R"({"ev": {"schedule": [{"from": "21:00"}, {"from": "10:00", "amps": 20}, 3]}})"),
            "s.json: key 'ev.schedule.1.amps': must not exceed max_a (20 > 16)\n"
            "s.json: key 'ev.schedule.2': expected an object, got number 3");
  EXPECT_EQ(problems(R"({"ev": {"schedule": []}})"),
            "s.json: key 'ev.schedule': expected a window {\"from\": \"HH:MM\", \"to\": \"HH:MM\"} or a list of 1 to 4, got array []");
  EXPECT_EQ(problems(R"({"dimmer": {"schedule": {"from": "02:00", "amps": 10}}})"), "s.json: key 'dimmer.schedule.amps': unknown key");
  EXPECT_EQ(problems(R"({"ev": {"schedule": {"days": ["mon", "funday"]}}})"),
            "s.json: key 'ev.schedule.days': unknown day \"funday\" (mon, tue, wed, thu, fri, sat, sun)");
  EXPECT_EQ(problems(R"({"dimmer": {"max_temperature_c": 60, "restart_below_c": 62}})"),
            "s.json: key 'dimmer.restart_below_c': must be below max_temperature_c (62 >= 60)");
  // An HTTP dimmer (xlyric's /?POWER=, a Shelly's /light/0?brightness=): a URL with {pct}.
  const std::string sunspec = R"("site": {"type": "sunspec", "host": "h"}, )";
  EXPECT_EQ(problems("{" + sunspec + R"("dimmer": {"device": "http", "url": "https://d/?POWER={pct}"}})"),
            "s.json: key 'dimmer.url': expected \"http://host[:port]/path?…{pct}…\", got \"https://d/?POWER={pct}\"");
  EXPECT_EQ(problems("{" + sunspec + R"("dimmer": {"device": "http", "url": "http://d/?POWER=50"}})"),
            "s.json: key 'dimmer.url': \"http://d/?POWER=50\" has no {pct} for the value to set");
  EXPECT_EQ(problems("{" + sunspec + R"("dimmer": {"device": "http", "url": "http://d:99999/?POWER={pct}"}})"),
            "s.json: key 'dimmer.url': bad port \"99999\" in \"http://d:99999/?POWER={pct}\"");
  EXPECT_EQ(problems(R"({"dimmer": {"device": "http", "url": "http://d/?POWER={pct}"}})"),
            "s.json: key 'dimmer.device': a real dimmer needs a real site (site.type \"sunspec\", \"shelly\", \"http\" or \"mqtt\")");
  EXPECT_EQ(problems(R"({"relay": {"device": "http", "url": "http://r/relay/0?turn=on"}})"),
            "s.json: key 'relay.url': \"http://r/relay/0?turn=on\" has no {on} for the value to set");
  EXPECT_EQ(problems("{" + sunspec + R"("dimmer": {"temperature": {"field": "tC"}}})"),
            "s.json: key 'dimmer.temperature': needs \"url\" (a JSON answer over HTTP) or \"topic\" (an MQTT topic)");
  EXPECT_EQ(problems(R"({"dimmer": {"temperature": {"url": "http://t/status", "field": "t"}}})"),
            "s.json: key 'dimmer.temperature': the emulated house has its own tank: a real thermometer needs a real site");
  EXPECT_EQ(problems(R"({"dimmer": {"device": "triac"}})"),
            "s.json: key 'dimmer.device': unknown dimmer \"triac\" (none, emulated, http or mqtt)");
  EXPECT_EQ(problems(R"({"dimmer": {"output": "pwm"}})"),
            "s.json: key 'dimmer.output': unknown output \"pwm\" (phase_angle or burst_fire)");
  EXPECT_EQ(problems(R"({"site": {"type": "sunspec", "host": "h", "port": 70000}})"),
            "s.json: key 'site.port': must be a TCP port (1–65535), got 70000");
  EXPECT_EQ(problems(R"({"site": {"type": "sunspec", "host": "h", "meter": 4}})"),
            "s.json: key 'site.meter': must be 1, 2 or 3, got 4");
  EXPECT_EQ(problems(R"({"site": {"type": "fronius"}})"), "s.json: key 'site.type': unknown site \"fronius\" (emulated, sunspec, shelly, http or mqtt)");
  EXPECT_EQ(problems(R"({"cycle_s": 5, "stale_after_s": 2})"), "s.json: key 'stale_after_s': must be at least cycle_s (2 < 5)");
  EXPECT_EQ(problems(R"({"reserve_w": "50"})"), "s.json: key 'reserve_w': expected a number, got string \"50\"");
  EXPECT_EQ(problems(R"({"ev": 3})"), "s.json: key 'ev': expected an object, got number 3");
  EXPECT_EQ(problems(R"({"mqtt": {"prefix": "a/#"}})"),
            "s.json: key 'mqtt.prefix': must be a topic without wildcards or a trailing '/', got \"a/#\"");
  EXPECT_EQ(problems(R"({"mqtt": {"domoticz": {"idx": {"surplus_w": -1}}}})"),
            "s.json: key 'mqtt.domoticz.idx.surplus_w': expected a positive integer Domoticz idx, got number -1");
  EXPECT_EQ(problems(R"({"mqtt": {"password_file": "/etc/pw"}})"), "s.json: key 'mqtt.password_file': needs mqtt.username");
  EXPECT_EQ(problems(R"({"mqtt": {"password": "plain"}})"), "s.json: key 'mqtt.password': unknown key");
  EXPECT_EQ(problems(R"({"mqtt": {"tls": {"cert_file": "c.pem"}}})"),
            "s.json: key 'mqtt.tls.ca_file': missing: the CA that signed the broker's certificate\n"
            "s.json: key 'mqtt.tls': cert_file and key_file go together");
  EXPECT_EQ(problems(R"({"name": "a b"})"),
            "s.json: key 'name': must be a non-empty word without '/', '+', '#' or spaces, got \"a b\"");
  EXPECT_EQ(problems(R"({"site": {"start": "2021-13-01"}})").rfind("s.json: key 'site.start': ", 0), 0u);
  // Several problems at once, one per line.
  EXPECT_EQ(problems(R"({"ev": {"max_a": -1, "volts": 0}})"),
            "s.json: key 'ev.volts': must be > 0 and <= 480, got 0\n"
            "s.json: key 'ev.max_a': must be > 0 and <= 80, got -1");
}

// Issue 20 items 2, 3 and 6: meters, batteries and outputs of real set-ups, and an IANA zone.
TEST(SurplusConfig, RealDevicesAndTheirMistakes) {
  const std::string mqtt = R"("mqtt": {"host": "127.0.0.1"}, )";
  // A Shelly Pro 3EM: its Gen2 status call, import positive.
  const auto shelly = parsed(R"({"site": {"type": "shelly", "host": "192.168.1.60", "model": "pro3em"}})");
  EXPECT_EQ(shelly.site.kind, SiteConfig::Kind::kHttp);
  EXPECT_EQ(shelly.site.meter_value.describe(), "http://192.168.1.60:80/rpc/EM.GetStatus?id=0 field \"total_act_power\"");
  EXPECT_TRUE(shelly.site.invert);
  EXPECT_EQ(problems(R"({"site": {"type": "shelly", "host": "h", "model": "plug"}})"),
            "s.json: key 'site.model': unknown Shelly meter \"plug\" (em, 3em, pro3em or proem)");
  // Tasmota SML over MQTT: the topic, the field, the sign said out loud.
  const auto sml = parsed("{" + mqtt + R"("site": {"type": "mqtt", "topic": "tele/sml/SENSOR", "field": "SML.Power_curr",
                                                    "sign": "import_positive"}})");
  EXPECT_EQ(sml.site.meter_value.describe(), "mqtt tele/sml/SENSOR field \"SML.Power_curr\"");
  EXPECT_TRUE(sml.site.invert);
  EXPECT_EQ(problems(R"({"site": {"type": "mqtt", "topic": "m/#", "sign": "export_positive"}})"),
            "s.json: key 'site.topic': must be a topic without wildcards, got \"m/#\"\n"
            "s.json: key 'mqtt': missing: a device on MQTT needs the broker (\"mqtt\": {\"host\": …})");
  EXPECT_EQ(problems("{" + mqtt + R"("site": {"type": "mqtt", "topic": "m"}})"),
            "s.json: key 'site.sign': missing (expected a string)");
  // A StorEdge battery on the inverter's Modbus; evcc's priority and buffer.
  const auto storedge = parsed(R"({"site": {"type": "sunspec", "host": "h"},
                                   "battery": {"device": "solaredge", "priority_soc": 40, "buffer_soc": 80}})");
  EXPECT_EQ(storedge.battery.kind, BatteryDeviceConfig::Kind::kSolarEdge);
  EXPECT_EQ(storedge.battery.solaredge_base, 0xE100);
  EXPECT_EQ(storedge.router.battery.priority_soc, 40);
  EXPECT_EQ(storedge.router.battery.buffer_soc, 80);
  EXPECT_TRUE(parsed(R"({"site": {"type": "sunspec", "host": "h"}, "battery": {"device": "sunspec"}})").battery.power_discharge_positive);
  EXPECT_EQ(problems(R"({"battery": {"device": "sunspec", "sign": "up"}})"),
            "s.json: key 'battery.device': \"sunspec\" reads the battery model (802) of the site's map: it needs site.type \"sunspec\"\n"
            "s.json: key 'battery.sign': expected \"charge_positive\" or \"discharge_positive\", got \"up\"");
  EXPECT_EQ(problems(R"({"battery": {"device": "solaredge"}})"),
            "s.json: key 'battery.device': \"solaredge\" reads the inverter's battery registers: it needs site.type \"sunspec\"");
  EXPECT_EQ(problems(R"({"battery": {"device": "emulated", "priority_soc": 60, "buffer_soc": 50}})"),
            "s.json: key 'battery.buffer_soc': must not be below priority_soc (50 < 60)");
  // A Tasmota dimmer and relay, an ESPHome light: command topics, payloads, state topics.
  const auto tasmota = parsed("{" + mqtt + R"("site": {"type": "sunspec", "host": "h"},
      "dimmer": {"device": "mqtt", "command_topic": "cmnd/heater/Dimmer", "state_topic": "stat/heater/RESULT",
                 "state_field": "Dimmer", "rated_w": 2000},
      "relay": {"device": "mqtt", "command_topic": "cmnd/pump/POWER", "state_topic": "stat/pump/POWER"}})");
  ASSERT_TRUE(tasmota.dimmer.mqtt && tasmota.relay_mqtt);
  EXPECT_EQ(tasmota.dimmer.mqtt->payload_for(37), "37");
  EXPECT_EQ(tasmota.relay_mqtt->payload_for(true), "ON");
  const auto esphome = parsed("{" + mqtt + R"("site": {"type": "sunspec", "host": "h"},
      "dimmer": {"device": "mqtt", "command_topic": "n/light/h/command", "payload": "{\"state\":\"ON\",\"brightness\":{b255}}",
                 "state_topic": "n/light/h/state", "state_field": "brightness", "state_max": 255, "rated_w": 2000}})");
  EXPECT_EQ(esphome.dimmer.mqtt->payload_for(50), R"({"state":"ON","brightness":128})");
  EXPECT_EQ(problems("{" + mqtt + R"("site": {"type": "sunspec", "host": "h"},
      "dimmer": {"device": "mqtt", "command_topic": "c", "payload": "50", "state_topic": "s"}})"),
            "s.json: key 'dimmer.payload': \"50\" has no {pct} or {b255} for the value to set");
  // Local time from the tz database, summer time included.
  const auto paris = parsed(R"({"time_zone": "Europe/Paris"})");
  EXPECT_EQ(paris.router.zone.name(), "Europe/Paris");
  EXPECT_EQ(paris.router.zone.offset_at(from_civil(2026, 1, 10)), hours(1));
  EXPECT_EQ(paris.router.zone.offset_at(from_civil(2026, 7, 10)), hours(2));
  EXPECT_EQ(problems(R"({"time_zone": "Europe/Atlantis"})").rfind(
                "s.json: key 'time_zone': unknown time zone \"Europe/Atlantis\" (an IANA name such as \"Europe/Paris\")", 0),
            0u);
  EXPECT_EQ(problems(R"({"time_zone": "Asia/Tokyo", "utc_offset_h": 9})"),
            "s.json: key 'utc_offset_h': give either time_zone or utc_offset_h");
}

}  // namespace
}  // namespace wattshare::surplus
