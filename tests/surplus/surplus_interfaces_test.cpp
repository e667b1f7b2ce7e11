// The daemon's REST API and MQTT messages over a real controller on an emulated house.
#include <gtest/gtest.h>

#include "surplus/emulated_site.hpp"
#include "surplus/mode_command.hpp"
#include "surplus/mqtt_messages.hpp"
#include "surplus/surplus_http.hpp"

namespace wattshare::surplus {
namespace {

struct Daemon {
  TimePoint wall = from_civil(2030, 1, 1);
  SurplusConfig cfg = [] {
    auto c = load_surplus_config(WATTSHARE_SOURCE_DIR "/examples/surplus/solaredge-twc.json");
    EXPECT_TRUE(c);
    c->site.kind = SiteConfig::Kind::kEmulated;  // the same router settings on the emulated house
    c->site.acceleration = 1;
    c->site.start = from_civil(2021, 5, 22) + hours(3) - c->router.zone.offset_at(from_civil(2021, 5, 22)) + hours(9);
    c->ev.kind = EvDeviceConfig::Kind::kEmulated;
    return *c;
  }();
  SurplusController c{cfg, std::make_unique<EmulatedSite>(cfg.site, cfg.dimmer, [this] { return wall; })};
  static constexpr const char* kToken = "surplus-token-0123456789";
  HttpResponse call(std::string method, std::string target, std::string body = {},
                    std::string authorization = std::string("Bearer ") + kToken, std::string type = "application/json") {
    HttpRequest request{std::move(method), std::move(target), std::move(body), std::move(authorization)};
    request.content_type = std::move(type);
    auto r = handle_surplus_request(c, request, kToken);
    return r ? *r : HttpResponse{0, "", "not ours", {}};
  }
};

TEST(SurplusHttp, StatusModeButtonsAndErrors) {
  Daemon d;
  d.c.cycle();
  auto status = d.call("GET", "/api/surplus");
  EXPECT_EQ(status.status, 200);
  const Json s = *parse_json_text(status.body, "status");
  EXPECT_EQ(s["name"], "maison");
  EXPECT_EQ(s["ev"]["mode"], "eco");
  EXPECT_FALSE(s["dimmer"]["present"].get<bool>());

  auto boost = d.call("POST", "/api/surplus/mode", R"({"mode": "boost", "duration_s": 3600})");
  EXPECT_EQ(boost.status, 200);
  EXPECT_EQ((*parse_json_text(boost.body, "b"))["ev"]["mode"], "boost");
  d.c.cycle();
  EXPECT_DOUBLE_EQ(d.c.outputs().ev_amps, 16);
  EXPECT_EQ(d.call("POST", "/api/surplus/mode", "eco").status, 200);
  EXPECT_EQ(d.c.mode(Load::kEv), Mode::kEco);

  auto expect_error = [&](HttpResponse r, int code, std::string message) {
    EXPECT_EQ(r.status, code);
    EXPECT_EQ((*parse_json_text(r.body, "e"))["error"], message);
  };
  // Writes need the token, and JSON: a web page's form or image cannot send either.
  expect_error(d.call("POST", "/api/surplus/mode", R"({"mode": "off"})", ""), 401,
               "/api/surplus/mode: a bearer token is required (Authorization: Bearer <token>)");
  expect_error(d.call("POST", "/api/surplus/mode", R"({"mode": "off"})", "Bearer surplus-token-0123456780"), 401,
               "/api/surplus/mode: a bearer token is required (Authorization: Bearer <token>)");
  expect_error(d.call("POST", "/api/surplus/mode", "mode=off", std::string("Bearer ") + Daemon::kToken,
                      "application/x-www-form-urlencoded"),
               415, "/api/surplus/mode: Content-Type must be application/json, got 'application/x-www-form-urlencoded'");
  EXPECT_EQ(d.c.mode(Load::kEv), Mode::kEco);  // none of them changed anything
  expect_error(d.call("POST", "/api/surplus/mode", R"({"mode": "turbo"})"), 400,
               "/api/surplus/mode: unknown mode \"turbo\" (off, eco or pv, boost or now, minpv, scheduled)");
  expect_error(d.call("POST", "/api/surplus/mode", R"({"mode": "boost", "load": "dimmer"})"), 400,
               "/api/surplus/mode: this house has no dimmer");
  expect_error(d.call("POST", "/api/surplus/mode", R"({"mode": "boost", "duration_s": -1})"), 400,
               "/api/surplus/mode: duration_s must be a number of seconds in (0, 604800], got number -1");
  expect_error(d.call("POST", "/api/surplus/mode", R"({"mode": )"), 400,
               "/api/surplus/mode: payload:1:9: JSON syntax error: syntax error while parsing value - unexpected end of "
               "input; expected '[', '{', or a literal");
  expect_error(d.call("GET", "/api/surplus/mode"), 405, "GET /api/surplus/mode: use POST");
  expect_error(d.call("DELETE", "/api/surplus"), 405, "DELETE /api/surplus: use GET");
  expect_error(d.call("GET", "/api/nothing"), 404, "no such endpoint: /api/nothing");
  EXPECT_EQ(d.call("GET", "/%zz").status, 400);
  EXPECT_EQ(d.call("GET", "/surplus.html").body, "not ours");
  EXPECT_EQ(d.c.mode(Load::kEv), Mode::kEco);  // nothing bad changed anything
}

TEST(SurplusMqtt, StateTopicsDomoticzAndDiscovery) {
  Daemon d;
  d.c.cycle();
  const Json s = d.c.status();
  const auto msgs = state_messages(d.cfg.mqtt, s);
  auto find = [&](const std::string& topic) -> const MqttMessage* {
    for (const auto& m : msgs) {
      if (m.topic == topic) return &m;
    }
    return nullptr;
  };
  ASSERT_NE(find("wattshare/maison/state"), nullptr);
  EXPECT_TRUE(find("wattshare/maison/state")->retain);
  EXPECT_EQ(*parse_json_text(find("wattshare/maison/state")->payload, "s"), s);
  EXPECT_EQ(find("wattshare/maison/ev/mode")->payload, "eco");
  EXPECT_EQ(find("wattshare/maison/dimmer/mode"), nullptr);  // no dimmer here
  EXPECT_EQ(find("wattshare/maison/dimmer/power_w"), nullptr);
  EXPECT_EQ(find("wattshare/maison/relay/power_w"), nullptr);
  EXPECT_EQ(find("wattshare/maison/safe_state")->payload, "false");
  EXPECT_NEAR(std::stod(find("wattshare/maison/surplus_w")->payload), s["surplus_w"].get<double>(), 0.5);
  std::vector<std::string> domoticz;
  for (const auto& m : msgs) {
    if (m.topic == "domoticz/in") domoticz.push_back(m.payload);
  }
  ASSERT_EQ(domoticz.size(), 2u);
  EXPECT_EQ(domoticz[0], R"({"idx":102,"nvalue":0,"svalue":"0"})");  // ev_amps
  EXPECT_EQ(domoticz[1].rfind(R"({"idx":101,"nvalue":0,"svalue":")", 0), 0u);  // surplus_w

  const auto disc = discovery_messages(d.cfg.mqtt, s);
  const MqttMessage* select = nullptr;
  for (const auto& m : disc) {
    EXPECT_TRUE(m.retain);
    if (m.topic == "homeassistant/select/wattshare_maison_router/wattshare_maison_ev_mode/config") select = &m;
  }
  ASSERT_NE(select, nullptr);
  const Json cfg = *parse_json_text(select->payload, "d");
  EXPECT_EQ(cfg["command_topic"], "wattshare/maison/ev/mode/set");
  EXPECT_EQ(cfg["state_topic"], "wattshare/maison/ev/mode");
  EXPECT_EQ(cfg["availability_topic"], "wattshare/maison/status");
  EXPECT_EQ(cfg["options"], Json::array({"off", "eco", "boost", "scheduled"}));
  EXPECT_EQ(cfg["device"]["identifiers"][0], "wattshare_maison");
  const Json surplus = *parse_json_text(disc.front().payload, "d");
  EXPECT_EQ(disc.front().topic, "homeassistant/sensor/wattshare_maison_router/wattshare_maison_surplus_w/config");
  EXPECT_EQ(surplus["unit_of_measurement"], "W");
  EXPECT_EQ(surplus["device_class"], "power");
  EXPECT_EQ(surplus["state_topic"], "wattshare/maison/surplus_w");
  MqttConfig off = d.cfg.mqtt;
  off.homeassistant = false;
  EXPECT_TRUE(discovery_messages(off, s).empty());
}

TEST(SurplusMqtt, CommandsAndTheirErrors) {
  MqttConfig c;
  c.prefix = "wattshare/h";
  EXPECT_EQ(command_topics(c), (std::vector<std::string>{"wattshare/h/mode/set", "wattshare/h/+/mode/set"}));
  auto all = parse_mode_command(c, "wattshare/h/mode/set", "boost\n");
  ASSERT_TRUE(all);
  EXPECT_FALSE(all->load);
  EXPECT_EQ(all->mode, Mode::kBoost);
  auto ev = parse_mode_command(c, "wattshare/h/ev/mode/set", R"({"mode":"off","duration_s":90})");
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->load, Load::kEv);
  EXPECT_EQ(ev->mode, Mode::kOff);
  EXPECT_EQ(ev->duration, seconds(90));
  EXPECT_EQ(parse_mode_command(c, "wattshare/h/sauna/mode/set", "eco").error().message,
            "mqtt wattshare/h/sauna/mode/set: unknown load \"sauna\" (ev, dimmer or relay)");
  EXPECT_EQ(parse_mode_command(c, "wattshare/h/ev/mode/set", "").error().message,
            "mqtt wattshare/h/ev/mode/set: unknown mode \"\" (off, eco or pv, boost or now, minpv, scheduled)");
  EXPECT_EQ(parse_mode_command(c, "wattshare/hx/mode/set", "eco").error().message,
            "mqtt wattshare/hx/mode/set: not a command topic");
  EXPECT_EQ(parse_mode_command(c, "wattshare/h/evmode/set", "eco").error().message,
            "mqtt wattshare/h/evmode/set: not a command topic");
  EXPECT_EQ(parse_mode_command(c, "wattshare/h/ev/mode/set", R"({"mode": 3})").error().message,
            "mqtt wattshare/h/ev/mode/set: expected {\"mode\": \"off|eco|boost|scheduled\"}");
  EXPECT_EQ(parse_mode_payload(R"({"mode":"eco","load":7})", std::nullopt).error().message,
            "unknown load number 7 (ev, dimmer or relay)");
}

}  // namespace
}  // namespace wattshare::surplus
