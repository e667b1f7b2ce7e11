// `wattshare surplus` as a real process: on its emulated house, in front of `sunspec-sim` and a
// `twc-sim` charger on a pseudo-terminal, and publishing to a real mosquitto broker observed with
// mosquitto_sub. Every process is stopped by pid when the test ends.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/http_client.hpp"
#include "support/broker.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace wattshare {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using test::port_in;
using test::start;

json status(std::uint16_t port) {
  const auto r = test::http_get("127.0.0.1", port, "/api/surplus");
  EXPECT_EQ(r.status, 200) << r.body;
  return json::parse(r.body.empty() ? "null" : r.body, nullptr, false);
}

// Polls the status (every 100 ms, up to `limit`) until `done` holds; the last status either way.
json status_when(std::uint16_t port, const std::function<bool(const json&)>& done, milliseconds limit) {
  json s;
  for (auto waited = milliseconds(0); waited < limit; waited += milliseconds(100)) {
    s = status(port);
    if (done(s)) return s;
    std::this_thread::sleep_for(milliseconds(100));
  }
  ADD_FAILURE() << "status never reached the expected state: " << s.dump();
  return s;
}

// The write token the daemon printed with its status page ("…/#token=<token> …").
std::string token_in(const std::string& line) {
  const auto at = line.find("#token=");
  if (at == std::string::npos) return {};
  return line.substr(at + 7, line.find(' ', at) - at - 7);
}

json post_mode(std::uint16_t port, const std::string& token, const std::string& body, int expect = 200) {
  const auto r = test::http_request_with_token("127.0.0.1", port, "POST", "/api/surplus/mode", token, body);
  EXPECT_EQ(r.status, expect) << r.body;
  return json::parse(r.body.empty() ? "null" : r.body, nullptr, false);
}


TEST(SurplusProcess, EmulatedHouseServesItsStatusAndTheModeButtons) {
  test::TempDir dir;
  std::string line;
  auto daemon = start({WATTSHARE_BIN, "surplus", "--config", WATTSHARE_SOURCE_DIR "/examples/surplus/emulated.json",
                       "--http-port", "0", "--token-file", dir.path("token")},
                      "status on", &line);
  const std::uint16_t port = port_in(line);
  ASSERT_NE(port, 0) << line;
  const std::string token = token_in(line);
  ASSERT_EQ(token.size(), 32u) << line;
  const json first = status(port);
  EXPECT_EQ(first["name"], "house-1");
  EXPECT_EQ(first["site"], "emulated");
  // The house clock runs at 60×: two cycles a second apart are a minute apart.
  const json later = status_when(port, [&](const json& s) { return s["cycle"] > first["cycle"].get<int>() + 1; },
                                 milliseconds(10000));
  EXPECT_GT(later["time"].get<std::string>(), first["time"].get<std::string>());
  // Without the token, or from another site's page, nothing changes.
  EXPECT_EQ(post_mode(port, "", R"({"mode": "off"})", 401)["error"],
            "/api/surplus/mode: a bearer token is required (Authorization: Bearer <token>)");
  const auto cross_site = test::http_request_with_headers(
      "127.0.0.1", port, "POST", "/api/surplus/mode",
      {{"Authorization", "Bearer " + token}, {"Origin", "http://evil.example"}},
      R"({"mode": "off"})");
  EXPECT_EQ(cross_site.status, 403) << cross_site.body;
  EXPECT_EQ(test::http_request_with_headers("127.0.0.1", port, "GET", "/api/surplus", {{"Host", "rebind.example:80"}}).status, 403);
  const json boosted = post_mode(port, token, R"({"mode": "boost", "load": "ev", "duration_s": 3600})");
  EXPECT_EQ(boosted["ev"]["mode"], "boost");
  EXPECT_FALSE(boosted["ev"]["mode_until"].is_null());
  status_when(port, [](const json& s) { return s["ev"]["command_a"] == 16.0; }, milliseconds(10000));
  EXPECT_EQ(post_mode(port, token, R"({"mode": "eco"})")["dimmer"]["mode"], "eco");
  EXPECT_EQ(post_mode(port, token, R"({"mode": "boost", "load": "heater"})", 400)["error"],
            "/api/surplus/mode: unknown load string \"heater\" (ev, dimmer or relay)");
  EXPECT_EQ(test::http_get("127.0.0.1", port, "/api/surplus/nothing").status, 404);
  EXPECT_EQ(daemon->stop(), 0);
}

TEST(SurplusProcess, BadConfigurationIsRefusedWithFileKeyAndProblem) {
  test::TempDir dir;
  const auto file = dir.write("s.json", R"({"ev": {"mode": "turbo", "max_a": 0}, "colour": "red"})");
  const auto r = test::run_command({WATTSHARE_BIN, "surplus", "--config", file});
  EXPECT_EQ(r.exit_code, 2);
  const auto missing = test::run_command({WATTSHARE_BIN, "surplus", "--config", dir.path("none.json")});
  EXPECT_EQ(missing.exit_code, 2);
}

// `sunspec-sim` at noon on 12 kWp: the process and its Modbus TCP port.
struct NoonMeter {
  std::unique_ptr<test::ChildProcess> process;
  std::string port;
};
NoonMeter start_noon_meter() {
  std::string line;
  auto p = start({WATTSHARE_BIN, "sunspec-sim", "--port", "0", "--kwp", "12", "--hour", "12"}, "SunSpec map", &line);
  return {std::move(p), std::to_string(std::stoi(line.substr(line.find("127.0.0.1:") + 10)))};
}

// Devices on HTTP for the tests, served by Python's own http.server (a peer written apart from
// ours): every request printed; "/status" answers a Shelly's add-on temperature
// ({"ext_temperature": [{"tC": <argv 2>}]}), anything else "OK".
constexpr const char* kHttpDevices = R"(
import http.server, json, sys
class Devices(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        print("GET " + self.path, flush=True)
        body = json.dumps({"ext_temperature": [{"tC": float(sys.argv[2])}]}) if self.path == "/status" else "OK"
        self.send_response(200); self.send_header("Content-Type", "application/json"); self.end_headers()
        self.wfile.write(body.encode())
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Devices)
print("devices ready", flush=True)
s.serve_forever()
)";

TEST(SurplusProcess, FollowsASunSpecMeterWithATwcChargerAndFallsSafeWhenTheMeterGoes) {
  test::TempDir dir;
  std::string line;
  auto meter = start_noon_meter();
  const std::string& meter_port = meter.port;
  auto charger = start({WATTSHARE_BIN, "twc-sim", "--pty-link", dir.path("twc"), "--car", "32"}, "TWC Gen2");
  const auto cfg = dir.write("house.json", R"({
    "name": "h2", "cycle_s": 0.5, "stale_after_s": 2,
    "site": {"type": "sunspec", "host": "127.0.0.1", "port": )" + meter_port + R"(, "timeout_ms": 300},
    "ev": {"device": "twc", "serial": ")" + dir.path("twc") + R"(", "enable_delay_s": 1, "max_a": 10, "safe_a": 0},
    "dimmer": {"device": "none"},
    "http": {"port": 0}})");
  auto daemon = start({WATTSHARE_BIN, "surplus", "--config", cfg, "--token-file", dir.path("token")}, "status on", &line);
  const std::uint16_t port = port_in(line);
  ASSERT_NE(port, 0) << line;
  // Noon sun on 12 kWp: enough for the car; the charger follows the limit and reports its current.
  const json running = status_when(
      port, [](const json& s) { return s["ev"]["connected"] == true && s["pulling_amps"].get<double>() >= 6; },
      milliseconds(20000));
  EXPECT_EQ(running["site"], "sunspec");
  EXPECT_TRUE(running["meter_ok"].get<bool>());
  EXPECT_GT(running["inverter_power_w"].get<double>(), 5000);
  EXPECT_GE(running["ev"]["command_a"].get<double>(), 6);
  EXPECT_LE(running["ev"]["command_a"].get<double>(), 10);
  // The meter goes away: the last decision holds, then the safe state (0 A), and the charger follows.
  meter.process->stop();
  const json lost = status_when(port, [](const json& s) { return s["meter_ok"] == false; }, milliseconds(5000));
  EXPECT_NE(lost["meter_error"].get<std::string>(), "");
  const json safe = status_when(
      port, [](const json& s) { return s["safe_state"] == true && s["pulling_amps"].get<double>() == 0; },
      milliseconds(15000));
  EXPECT_EQ(safe["ev"]["command_a"], 0.0);
  EXPECT_EQ(daemon->stop(), 0);
}

// Issue 20's "done when": a protocol-2 charger whose car waits in 04, starts in 08 and echoes 09
// for ~12 s after every limit change (twc-sim, after TWCManager's TWCSlave.py notes), and a
// SolarEdge meter that sees the car's draw (twc-sim --meter-port): with the default settings
// (enable delay 1 min, a current change at most every 10 s) charging starts within 2 minutes of
// 8 kW export, never stops, and the export settles within ±1 kW. Times are the daemon's own clock.
TEST(SurplusProcess, ChargesAWaitingCarFromEightKilowattsOfExportWithoutACut) {
  test::TempDir dir;
  std::string line;
  auto charger = start({WATTSHARE_BIN, "twc-sim", "--pty-link", dir.path("twc"), "--car", "32", "--meter-port", "0",
                        "--kwp", "12", "--hour", "12"},
                       "SolarEdge meter", &line);
  const std::string meter_port = line.substr(line.find("127.0.0.1:") + 10, line.find(',') - line.find("127.0.0.1:") - 10);
  const auto cfg = dir.write("house.json", R"({
    "name": "h8",
    "site": {"type": "sunspec", "host": "127.0.0.1", "port": )" + meter_port + R"(, "timeout_ms": 500},
    "ev": {"device": "twc", "serial": ")" + dir.path("twc") + R"("},
    "dimmer": {"device": "none"},
    "http": {"port": 0}})");
  auto daemon = start({WATTSHARE_BIN, "surplus", "--config", cfg, "--token-file", dir.path("token")}, "status on", &line);
  const std::uint16_t port = port_in(line);
  ASSERT_NE(port, 0) << line;
  auto clock_s = [](const json& s) {  // "YYYY/MM/DD-hh:mm:ss"
    const std::string t = s["time"];
    return std::stoi(t.substr(11, 2)) * 3600 + std::stoi(t.substr(14, 2)) * 60 + std::stoi(t.substr(17, 2));
  };
  std::optional<int> exporting_since, charging_since;
  std::vector<json> after;
  for (int i = 0; i < 400 && (!charging_since || clock_s(after.back()) - *charging_since < 60); ++i) {
    const json s = status(port);
    if (!exporting_since && s["grid_export_w"].is_number() && s["grid_export_w"].get<double>() >= 7500) exporting_since = clock_s(s);
    if (!charging_since && s["pulling_amps"].get<double>() >= 6) charging_since = clock_s(s);
    if (charging_since) after.push_back(s);
    std::this_thread::sleep_for(milliseconds(500));
  }
  ASSERT_TRUE(exporting_since);
  ASSERT_TRUE(charging_since) << "never charged";
  EXPECT_LE(*charging_since - *exporting_since, 120);
  for (const json& s : after) {
    EXPECT_GE(s["pulling_amps"].get<double>(), 5) << "cut: " << s.dump();  // never 0 (a car follows in ~1 A steps)
    EXPECT_TRUE(s["ev"]["connected"].get<bool>()) << s.dump();
    if (clock_s(s) - *charging_since >= 30) {
      EXPECT_LE(std::abs(s["grid_export_w"].get<double>()), 1000) << s.dump();
    }
  }
  EXPECT_EQ(daemon->stop(), 0);
}

// A real dimmer over HTTP, as xlyric's ESP8266 router takes it (GET /?POWER=<0-100>): the peer
// is Python's own http.server, which prints each request. The power counts once the dimmer
// acknowledged it; a dimmer that does not answer is an error on the status, its power uncounted.
TEST(SurplusProcess, DrivesAnHttpDimmerAndCountsItsPowerOnlyWhenItAnswers) {
  test::TempDir dir;
  std::string line;
  auto meter = start_noon_meter();
  const std::string& meter_port = meter.port;
  const int dimmer_port = test::free_tcp_port();
  auto dimmer = start({"/usr/bin/python3", "-c", kHttpDevices, std::to_string(dimmer_port), "50"}, "devices ready");
  const auto cfg = dir.write("house.json", R"({
    "name": "h4", "cycle_s": 0.5, "stale_after_s": 5,
    "site": {"type": "sunspec", "host": "127.0.0.1", "port": )" + meter_port + R"(, "timeout_ms": 300},
    "ev": {"device": "none"},
    "dimmer": {"device": "http", "url": "http://127.0.0.1:)" + std::to_string(dimmer_port) + R"(/?POWER={pct}",
               "rated_w": 2000, "timeout_ms": 500},
    "relay": {"device": "http", "url": "http://127.0.0.1:)" + std::to_string(dimmer_port) + R"(/relay/0?turn={on}",
              "rated_w": 1000, "min_on_s": 0, "min_off_s": 0, "timeout_ms": 500},
    "http": {"port": 0}})");
  auto daemon = start({WATTSHARE_BIN, "surplus", "--config", cfg, "--token-file", dir.path("token")}, "status on", &line);
  const std::uint16_t port = port_in(line);
  ASSERT_NE(port, 0) << line;
  const std::string token = token_in(line);
  // Noon on 12 kWp: the heater at full power and the relay on (a Shelly Gen1's /relay/0?turn=),
  // as the devices acknowledged.
  const json heating = status_when(
      port, [](const json& s) { return s["dimmer"]["power_w"] == 2000.0 && s["relay"]["power_w"] == 1000.0; },
      milliseconds(20000));
  EXPECT_TRUE(heating["dimmer"]["error"].is_null()) << heating.dump();
  EXPECT_TRUE(heating["relay"]["error"].is_null()) << heating.dump();
  std::set<std::string> commands;
  for (int i = 0; i < 20 && commands.size() < 2; ++i) {
    const auto l = dimmer->read_line(milliseconds(1000));
    if (l && (*l == "GET /?POWER=100" || *l == "GET /relay/0?turn=on")) commands.insert(*l);
  }
  EXPECT_EQ(commands.size(), 2u);
  // The dimmer goes away; the next command fails: an error that names it, no power counted.
  dimmer->stop();
  post_mode(port, token, R"({"mode": "off", "load": "dimmer"})");
  post_mode(port, token, R"({"mode": "off", "load": "relay"})");
  const json lost = status_when(
      port, [](const json& s) { return !s["dimmer"]["error"].is_null() && !s["relay"]["error"].is_null(); },
      milliseconds(10000));
  EXPECT_EQ(lost["dimmer"]["power_w"], 0.0);
  EXPECT_EQ(lost["relay"]["power_w"], 0.0);
  EXPECT_NE(lost["dimmer"]["error"].get<std::string>().find("dimmer http://127.0.0.1:" + std::to_string(dimmer_port) + "/?POWER=0"),
            std::string::npos) << lost.dump();
  EXPECT_EQ(daemon->stop(), 0);
}

// The heater's cut-off with a real thermometer over HTTP (a Shelly add-on's ext_temperature):
// a tank at 70.5 °C keeps the heater off however large the surplus; a thermometer that gives no
// temperature keeps it off too, with an error that says so.
TEST(SurplusProcess, AHotTankOrAMissingTemperatureKeepsTheHeaterOff) {
  test::TempDir dir;
  auto meter = start_noon_meter();
  const std::string& meter_port = meter.port;
  const int devices_port = test::free_tcp_port();
  auto devices = start({"/usr/bin/python3", "-c", kHttpDevices, std::to_string(devices_port), "70.5"}, "devices ready");
  auto run = [&](const std::string& field) {
    const auto cfg = dir.write("house-" + field + ".json", R"({
      "name": "h5", "cycle_s": 0.5,
      "site": {"type": "sunspec", "host": "127.0.0.1", "port": )" + meter_port + R"(, "timeout_ms": 300},
      "ev": {"device": "none"}, "relay": {"device": "none"},
      "dimmer": {"device": "http", "url": "http://127.0.0.1:)" + std::to_string(devices_port) + R"(/?POWER={pct}",
                 "rated_w": 2000, "max_temperature_c": 65, "restart_below_c": 60,
                 "temperature": {"url": "http://127.0.0.1:)" + std::to_string(devices_port) + R"(/status",
                                 "field": ")" + field + R"("}},
      "http": {"port": 0}})");
    std::string l;
    auto daemon = start({WATTSHARE_BIN, "surplus", "--config", cfg, "--token-file", dir.path("token")}, "status on", &l);
    const std::uint16_t port = port_in(l);
    EXPECT_NE(port, 0) << l;
    const json s = status_when(port, [](const json& st) { return st["cycle"].get<int>() >= 6; }, milliseconds(10000));
    EXPECT_EQ(daemon->stop(), 0);
    return s;
  };
  const json hot = run("ext_temperature.0.tC");
  EXPECT_EQ(hot["dimmer"]["temperature_c"], 70.5) << hot.dump();
  EXPECT_EQ(hot["dimmer"]["command_pct"], 0.0);
  EXPECT_EQ(hot["dimmer"]["power_w"], 0.0);
  const json blind = run("nope");
  EXPECT_EQ(blind["dimmer"]["power_w"], 0.0);
  EXPECT_NE(blind["dimmer"]["error"].get<std::string>().find("no number at \"nope\" in the answer; the heater stays off"),
            std::string::npos) << blind.dump();
}

TEST(SurplusProcess, PublishesOverMqttAndTakesModeCommands) {
  const test::Broker broker;
  const int broker_port = broker.port();
  // stdbuf: mosquitto_sub's stdout is block-buffered on a pipe.
  test::ChildProcess sub{{"/usr/bin/stdbuf", "-oL", "/usr/bin/mosquitto_sub", "-p", std::to_string(broker_port), "-v", "-t", "wattshare/h3/#", "-t",
                          "homeassistant/#", "-t", "domoticz/in"}};
  std::this_thread::sleep_for(milliseconds(300));  // let the subscription land before anything is published
  test::TempDir dir;
  const auto cfg = dir.write("house.json", R"({
    "name": "h3", "cycle_s": 0.5,
    "site": {"type": "emulated", "start": "2021-05-22", "start_hour": 12},
    "relay": {"device": "none"},
    "http": {"port": 0},
    "mqtt": {"port": )" + std::to_string(broker_port) + R"(, "domoticz": {"idx": {"surplus_w": 17, "relay_on": 18}}}})");
  std::string line;
  auto daemon = start({WATTSHARE_BIN, "surplus", "--config", cfg, "--token-file", dir.path("token")}, "status on", &line);
  const std::uint16_t port = port_in(line);
  ASSERT_NE(port, 0) << line;

  // What a subscriber sees: availability, discovery, state, single figures, Domoticz.
  std::map<std::string, std::string> seen;
  auto wait_for = [&](const std::string& topic, const std::string& payload_part = {}) {
    for (int i = 0; i < 400; ++i) {
      if (seen.contains(topic) && seen[topic].find(payload_part) != std::string::npos) return true;
      const auto l = sub.read_line(milliseconds(15000));
      if (!l) break;
      const auto space = l->find(' ');
      seen[l->substr(0, space)] = space == std::string::npos ? "" : l->substr(space + 1);
    }
    ADD_FAILURE() << "never saw " << topic << " with " << payload_part;
    return false;
  };
  EXPECT_TRUE(wait_for("wattshare/h3/status", "online"));
  EXPECT_TRUE(wait_for("homeassistant/select/wattshare_h3_router/wattshare_h3_ev_mode/config",
                       "\"command_topic\":\"wattshare/h3/ev/mode/set\""));
  EXPECT_TRUE(wait_for("homeassistant/sensor/wattshare_h3_router/wattshare_h3_surplus_w/config", "\"unit_of_measurement\":\"W\""));
  EXPECT_TRUE(wait_for("wattshare/h3/state", "\"name\":\"h3\""));
  EXPECT_TRUE(wait_for("wattshare/h3/ev/mode", "eco"));
  EXPECT_TRUE(wait_for("domoticz/in", "\"idx\":17"));
  // No relay in this house: neither its select, nor its figures, nor its Domoticz device (idx 18).
  EXPECT_FALSE(seen.contains("homeassistant/select/wattshare_h3_router/wattshare_h3_relay_mode/config"));
  EXPECT_FALSE(seen.contains("wattshare/h3/relay/power_w"));
  EXPECT_EQ(seen["domoticz/in"].find("\"idx\":18"), std::string::npos);
  const json state = json::parse(seen["wattshare/h3/state"]);
  EXPECT_EQ(state["site"], "emulated");

  // A command from Home Assistant's select; then a bad one, which changes nothing.
  EXPECT_TRUE(broker.publish("wattshare/h3/dimmer/mode/set", "boost"));
  EXPECT_TRUE(wait_for("wattshare/h3/dimmer/mode", "boost"));
  EXPECT_EQ(status(port)["dimmer"]["mode"], "boost");
  EXPECT_TRUE(broker.publish("wattshare/h3/ev/mode/set", R"({"mode": "warp"})"));
  EXPECT_TRUE(broker.publish("wattshare/h3/mode/set", R"({"mode": "off", "duration_s": 600})"));
  EXPECT_TRUE(wait_for("wattshare/h3/ev/mode", "off"));
  EXPECT_EQ(status(port)["dimmer"]["mode"], "off");

  // Stopping says goodbye on the availability topic.
  EXPECT_EQ(daemon->stop(), 0);
  EXPECT_TRUE(wait_for("wattshare/h3/status", "offline"));
  sub.stop();
}

// Found: MQTT had no credentials and no TLS. A broker that wants a user, over TLS only, with a
// certificate made here by openssl: the daemon logs in and publishes; a wrong password is
// refused by the broker (nothing arrives).
TEST(SurplusProcess, LogsInToABrokerOverTlsWithAUserAndPassword) {
  test::TempDir dir;
  const std::string d = dir.path();
  auto openssl = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "/usr/bin/openssl");
    return test::run_command(args, milliseconds(30000)).exit_code;
  };
  ASSERT_EQ(openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "/ca.key", "-out", d + "/ca.crt", "-days",
                     "2", "-subj", "/CN=wattshare-test-ca"}), 0);
  dir.write("san.cnf", "subjectAltName=IP:127.0.0.1\n");
  ASSERT_EQ(openssl({"req", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "/broker.key", "-out", d + "/broker.csr", "-subj",
                     "/CN=broker"}), 0);
  ASSERT_EQ(openssl({"x509", "-req", "-in", d + "/broker.csr", "-CA", d + "/ca.crt", "-CAkey", d + "/ca.key", "-CAcreateserial",
                     "-out", d + "/broker.crt", "-days", "2", "-extfile", d + "/san.cnf"}), 0);
  dir.write("passwords", "");
  ASSERT_EQ(test::run_command({"/usr/bin/mosquitto_passwd", "-b", d + "/passwords", "house", "s3cret-pass"}).exit_code, 0);
  const int port = test::free_tcp_port();
  // `user root`: started as root, mosquitto would drop to its own user, who cannot read this
  // test's private folder.
  const std::string conf = dir.write("mosquitto.conf", "user root\nlistener " + std::to_string(port) + " 127.0.0.1\n" +
                                                           "allow_anonymous false\npassword_file " + d + "/passwords\n" +
                                                           "cafile " + d + "/ca.crt\ncertfile " + d + "/broker.crt\n" +
                                                           "keyfile " + d + "/broker.key\n");
  auto broker = std::make_unique<test::ChildProcess>(std::vector<std::string>{"/usr/sbin/mosquitto", "-c", conf});
  const std::vector<std::string> sub_tls{"--cafile", d + "/ca.crt", "-u", "house", "-P", "s3cret-pass", "-h", "127.0.0.1", "-p",
                                         std::to_string(port)};
  for (int i = 0; i < 100; ++i) {
    std::vector<std::string> probe{"/usr/bin/mosquitto_pub", "-t", "probe", "-m", "x"};
    probe.insert(probe.end(), sub_tls.begin(), sub_tls.end());
    if (test::run_command(probe, milliseconds(5000)).exit_code == 0) break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  std::vector<std::string> sub_argv{"/usr/bin/stdbuf", "-oL", "/usr/bin/mosquitto_sub", "-v", "-t", "wattshare/#"};
  sub_argv.insert(sub_argv.end(), sub_tls.begin(), sub_tls.end());
  test::ChildProcess sub{sub_argv};
  std::this_thread::sleep_for(milliseconds(300));  // let the subscription land before anything is published
  const auto house = [&](const std::string& name, const std::string& password) {
    const std::string secret = dir.write(name + ".password", password + "\n");
    ::chmod(secret.c_str(), 0600);
    return dir.write(name + ".json", R"({"name": ")" + name + R"(", "cycle_s": 0.5,
      "site": {"type": "emulated", "start": "2021-05-22", "start_hour": 12}, "http": {"port": 0},
      "mqtt": {"host": "127.0.0.1", "port": )" + std::to_string(port) + R"(, "homeassistant": false, "username": "house",
               "password_file": ")" + secret + R"(", "tls": {"ca_file": ")" + d + R"(/ca.crt"}}})");
  };
  std::string line;
  auto wrong = start({WATTSHARE_BIN, "surplus", "--config", house("intruder", "guess"), "--token-file", dir.path("t1")}, "status on",
                     &line);
  auto right = start({WATTSHARE_BIN, "surplus", "--config", house("h4", "s3cret-pass"), "--token-file", dir.path("t2")}, "status on",
                     &line);
  std::string seen;
  for (int i = 0; i < 200 && seen.find("wattshare/h4/state ") == std::string::npos; ++i) {
    if (auto l = sub.read_line(milliseconds(15000))) seen += *l + "\n";
  }
  EXPECT_NE(seen.find("wattshare/h4/status online"), std::string::npos) << seen;
  EXPECT_NE(seen.find("wattshare/h4/state "), std::string::npos) << seen;
  EXPECT_EQ(seen.find("wattshare/intruder/"), std::string::npos) << seen;
  EXPECT_EQ(right->stop(), 0);
  EXPECT_EQ(wrong->stop(), 0);
  sub.stop();
}

// json_http_server.py with its answers; its port.
std::pair<std::unique_ptr<test::ChildProcess>, std::string> json_device(const std::string& answers) {
  std::string line;
  auto p = start({"/usr/bin/python3", WATTSHARE_SOURCE_DIR "/tests/devices/peers/json_http_server.py", answers}, "ready ", &line);
  return {std::move(p), line.substr(line.find("ready ") + 6)};
}

// examples/surplus/shelly-3em-xlyric.json as shipped, its devices' addresses pointed at peers
// answering as a Shelly 3EM (/status "total_power", import positive), xlyric's dimmer (/?POWER=,
// /state "temperature") and a Shelly Plus 1 (Gen2 Switch.Set): the composition of issue 20's
// device interfaces from a real set-up's file.
TEST(SurplusProcess, RunsTheShellyAndXlyricExampleAgainstItsDevices) {
  test::TempDir dir;
  auto [shelly, shelly_port] = json_device(R"({"/status": {"total_power": -4200.5, "emeters": []}})");
  auto [xlyric, xlyric_port] = json_device(R"({"/state": {"dimmer": 0, "temperature": 52.5}, "/?POWER=*": "OK"})");
  auto [plug, plug_port] = json_device(R"({"/rpc/Switch.Set*": {"was_on": false}})");
  std::ifstream in{WATTSHARE_SOURCE_DIR "/examples/surplus/shelly-3em-xlyric.json"};
  json cfg = json::parse(in, nullptr, true, /*ignore_comments=*/true);
  cfg["site"]["host"] = "127.0.0.1";
  cfg["site"]["port"] = std::stoi(shelly_port);
  cfg["dimmer"]["url"] = "http://127.0.0.1:" + xlyric_port + "/?POWER={pct}";
  cfg["dimmer"]["temperature"]["url"] = "http://127.0.0.1:" + xlyric_port + "/state";
  cfg["relay"]["url"] = "http://127.0.0.1:" + plug_port + "/rpc/Switch.Set?id=0&on={on}";
  cfg["http"]["port"] = 0;
  std::string line;
  auto daemon = start({WATTSHARE_BIN, "surplus", "--config", dir.write("maison.json", cfg.dump()), "--token-file",
                       dir.path("token")},
                      "status on", &line);
  const std::uint16_t port = port_in(line);
  ASSERT_NE(port, 0) << line;
  // 4.2 kW exported: the heater (3 kW) at full power, then the pump (750 W), both acknowledged.
  const json s = status_when(
      port, [](const json& st) { return st["dimmer"]["power_w"] == 3000.0 && st["relay"]["power_w"] == 750.0; },
      milliseconds(20000));
  EXPECT_EQ(s["site"], "http") << s.dump();
  EXPECT_EQ(s["grid_export_w"], 4200.5);
  EXPECT_EQ(s["dimmer"]["temperature_c"], 52.5);
  EXPECT_EQ(s["time_zone"], "Europe/Paris");
  EXPECT_TRUE(s["dimmer"]["error"].is_null()) << s.dump();
  bool pump_on = false;
  while (auto l = plug->read_line(milliseconds(2000))) {
    if (*l == "GET /rpc/Switch.Set?id=0&on=true") pump_on = true;
    if (pump_on) break;
  }
  EXPECT_TRUE(pump_on);
  EXPECT_EQ(daemon->stop(), 0);
  // Leaving, both are switched off.
  bool heater_off = false, pump_off = false;
  while (auto l = xlyric->read_line(milliseconds(2000))) heater_off |= *l == "GET /?POWER=0";
  while (auto l = plug->read_line(milliseconds(2000))) pump_off |= *l == "GET /rpc/Switch.Set?id=0&on=false";
  EXPECT_TRUE(heater_off);
  EXPECT_TRUE(pump_off);
}

// A house whose devices are all on MQTT: the meter is Tasmota SML (tele/sml/SENSOR), the heater a
// Tasmota dimmer answering on stat/heater/RESULT. The heater's power counts only once the device
// reported it; a silent dimmer is an error on the status page.
TEST(SurplusProcess, DrivesATasmotaDimmerFromAnMqttMeter) {
  const test::Broker broker;
  test::TempDir dir;
  const auto cfg = dir.write("house.json", R"({
    "name": "h6", "cycle_s": 0.5, "stale_after_s": 10,
    "site": {"type": "mqtt", "topic": "tele/sml/SENSOR", "field": "SML.Power_curr", "sign": "import_positive"},
    "ev": {"device": "none"}, "relay": {"device": "none"},
    "dimmer": {"device": "mqtt", "command_topic": "cmnd/heater/Dimmer", "state_topic": "stat/heater/RESULT",
               "state_field": "Dimmer", "rated_w": 2000},
    "mqtt": {"port": )" + std::to_string(broker.port()) + R"(, "homeassistant": false},
    "http": {"port": 0}})");
  test::ChildProcess sub{{"/usr/bin/stdbuf", "-oL", "/usr/bin/mosquitto_sub", "-p", std::to_string(broker.port()), "-v",
                          "-t", "cmnd/heater/Dimmer"}};
  std::string line;
  auto daemon = start({WATTSHARE_BIN, "surplus", "--config", cfg, "--token-file", dir.path("token")}, "status on", &line);
  const std::uint16_t port = port_in(line);
  ASSERT_NE(port, 0) << line;
  // 1.2 kW exported: the dimmer is commanded; until it reports, nothing counts as drawn.
  // (Before its first reading the heater is held at 0, and that is sent too.)
  std::optional<std::string> command;
  for (int i = 0; i < 100 && (!command || *command == "cmnd/heater/Dimmer 0"); ++i) {
    broker.publish("tele/sml/SENSOR", R"({"SML":{"Power_curr":-1200}})");
    command = sub.read_line(milliseconds(200));
  }
  ASSERT_TRUE(command);
  EXPECT_TRUE(command->starts_with("cmnd/heater/Dimmer ")) << *command;
  const int pct = std::stoi(command->substr(19));
  EXPECT_GT(pct, 0);
  EXPECT_EQ(status(port)["dimmer"]["power_w"], 0.0);
  broker.publish("stat/heater/RESULT", R"({"POWER":"ON","Dimmer":)" + std::to_string(pct) + "}");
  // The meter keeps reporting (as SML does every few seconds) while the test watches.
  const json drawing = status_when(port, [&](const json& s) {
    broker.publish("tele/sml/SENSOR", R"({"SML":{"Power_curr":-1200}})");
    return s["dimmer"]["power_w"] == pct * 20.0;
  }, milliseconds(10000));
  EXPECT_EQ(drawing["site"], "mqtt");
  EXPECT_FALSE(drawing["safe_state"].get<bool>()) << drawing.dump();
  // More export; the dimmer does not answer the new command: an error on the page after 10 s.
  const json silent = status_when(port, [&](const json& s) {
    broker.publish("tele/sml/SENSOR", R"({"SML":{"Power_curr":-1900}})");
    return s["dimmer"]["error"].is_string();
  }, milliseconds(20000));
  EXPECT_FALSE(silent["safe_state"].get<bool>()) << silent.dump();
  EXPECT_NE(silent["dimmer"]["error"].get<std::string>().find("stat/heater/RESULT reports " + std::to_string(pct)),
            std::string::npos) << silent.dump();
  EXPECT_EQ(daemon->stop(), 0);
}

// Issue 20 item 7: a car that charged on a Monday morning and left at 07:30 is one session in
// /api/sessions and its CSV, kept in the SQLite file across a restart; a session running when
// the daemon stops is kept too.
TEST(SurplusProcess, KeepsChargingSessionsAcrossARestart) {
  test::TempDir dir;
  const auto cfg = dir.write("house.json", R"({
    "name": "h7", "cycle_s": 0.2, "time_zone": "Asia/Tokyo",
    "site": {"type": "emulated", "start": "2021-05-24", "start_hour": 7, "acceleration": 300},
    "ev": {"device": "emulated", "mode": "boost"}, "dimmer": {"device": "none"},
    "tariff": {"grid_per_kwh": 30, "feed_in_per_kwh": 8, "currency": "JPY"},
    "http": {"port": 0}})");
  const std::vector<std::string> argv{WATTSHARE_BIN, "surplus", "--config", cfg, "--token-file", dir.path("token")};
  std::string line;
  auto daemon = start(argv, "status on", &line);
  std::uint16_t port = port_in(line);
  ASSERT_NE(port, 0) << line;
  // /api/sessions, polled until `done` (10 s at most).
  auto sessions_when = [](std::uint16_t p, const std::function<bool(const json&)>& done) {
    json j;
    for (int i = 0; i < 100; ++i) {
      const auto r = test::http_get("127.0.0.1", p, "/api/sessions");
      EXPECT_EQ(r.status, 200) << r.body;
      j = json::parse(r.body);
      if (done(j)) break;
      std::this_thread::sleep_for(milliseconds(100));
    }
    return j;
  };
  // 07:30 comes after 6 s of wall time: the car leaves.
  const json sessions = sessions_when(port, [](const json& j) { return !j["sessions"].empty(); });
  ASSERT_EQ(sessions["sessions"].size(), 1u) << sessions.dump();
  const json s = sessions["sessions"][0];
  // (The house clock runs 300 times faster: its first cycle comes a few house seconds after 07:00.)
  EXPECT_EQ(s["start"].get<std::string>().substr(0, 15), "2021/05/24-07:0") << s.dump();
  EXPECT_EQ(s["end"].get<std::string>().substr(0, 15), "2021/05/24-07:3") << s.dump();
  // Boost: 16 A on 3 phases (11 kW) for half an hour, most of it from the grid at 7 in the morning.
  EXPECT_NEAR(s["energy_wh"].get<double>(), 11040 * 0.5, 11040 * 0.1) << s.dump();
  EXPECT_LT(s["solar_share"].get<double>(), 0.5);
  EXPECT_EQ(s["currency"], "JPY");
  EXPECT_GT(s["cost"].get<double>(), 0.5 * 5.5 * 30);
  const auto csv = test::http_get("127.0.0.1", port, "/api/sessions.csv");
  EXPECT_EQ(csv.status, 200);
  EXPECT_EQ(csv.body.rfind("start,end,duration_s,energy_wh,solar_wh,solar_share,cost,currency\n" + s["start"].get<std::string>() + ",", 0), 0u)
      << csv.body;
  EXPECT_EQ(test::http_request("127.0.0.1", port, "POST", "/api/sessions", "{}").status, 405);
  EXPECT_EQ(daemon->stop(), 0);
  // Started again (at 07:00 again, the car home): the finished session is still there.
  daemon = start(argv, "status on", &line);
  port = port_in(line);
  const json again = sessions_when(port, [](const json& j) { return !j["running"].is_null(); });
  ASSERT_GE(again["sessions"].size(), 1u) << again.dump();
  EXPECT_EQ(again["sessions"].back()["start"], s["start"]);
  EXPECT_EQ(again["running"]["start"].get<std::string>().substr(0, 15), "2021/05/24-07:0") << again.dump();
  EXPECT_EQ(daemon->stop(), 0);
  // The session that ran when it stopped is kept as well.
  daemon = start(argv, "status on", &line);
  const json third = sessions_when(port_in(line), [](const json& j) { return !j["running"].is_null(); });
  EXPECT_EQ(third["sessions"].size(), again["sessions"].size() + 1) << third.dump();
  EXPECT_EQ(daemon->stop(), 0);
}

}  // namespace
}  // namespace wattshare
