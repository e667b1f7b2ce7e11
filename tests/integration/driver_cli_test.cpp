// `wattshare driver` as a real process in front of `wattshare eza-sim` and `wattshare
// battery-sim` processes on pseudo-terminals: what apis-main sees over HTTP on loopback.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace wattshare {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

using test::port_in;
using test::start;

json get(std::uint16_t port, const std::string& target, int status = 200) {
  const auto r = test::http_get("127.0.0.1", port, target);
  EXPECT_EQ(r.status, status) << target << ": " << r.body;
  return json::parse(r.body.empty() ? "null" : r.body, nullptr, false);
}

TEST(DriverProcess, ServesApisFromEmulatedHardwareOverPtys) {
  test::TempDir dir;
  auto eza = start({WATTSHARE_BIN, "eza-sim", "--pty-link", dir.path("eza"), "--rsoc", "70"}, "EZA2500");
  auto battery = start({WATTSHARE_BIN, "battery-sim", "--pty-link", dir.path("bms"), "--rsoc", "70"}, "slave 1");
  std::string line;
  auto driver = start({WATTSHARE_BIN, "driver", "--dcdc-serial", dir.path("eza"), "--battery-serial",
                       dir.path("bms"), "--port", "0", "--command-gap-ms", "0"},
                      "dcdc_batt_comm API", &line);
  const std::uint16_t port = port_in(line);
  ASSERT_NE(port, 0) << line;

  EXPECT_EQ(get(port, "/version/get")["comm_interface_version"], "2.0");
  const json set = get(port, "/dcdc/set?mode=0x0041&dvg=350&dig=1.5&drg=0");
  EXPECT_EQ(set["status"]["status"], "0x0041");
  EXPECT_DOUBLE_EQ(set["param"]["dig"].get<double>(), 1.4991760253906250);  // raw 1572
  const json all = get(port, "/all/get");
  EXPECT_DOUBLE_EQ(all["rsoc"].get<double>(), 70.0);
  EXPECT_EQ(all["battery_operation_status"], 3);
  EXPECT_EQ(all["status"]["operationMode"], "Heteronomy CV");
  EXPECT_EQ(get(port, "/dcdc/set?mode=0x0000")["status"]["operationMode"], "Waiting");
  EXPECT_EQ(get(port, "/dcdc/set?mode=0x0009", 400)["err"], "bad value: operation mode: 9");

  EXPECT_EQ(driver->stop(), 0);
  EXPECT_EQ(battery->stop(), 0);
  EXPECT_EQ(eza->stop(), 0);
}

TEST(DriverProcess, ASilentConverterGives400AndTheDriverStaysUp) {
  test::TempDir dir;
  auto eza = start({WATTSHARE_BIN, "eza-sim", "--pty-link", dir.path("eza"), "--fault", "silence"}, "EZA2500");
  std::string line;
  auto driver = start({WATTSHARE_BIN, "driver", "--dcdc-serial", dir.path("eza"), "--port", "0",
                       "--command-gap-ms", "0", "--reply-timeout-ms", "20", "--retry-wait-ms", "0"},
                      "dcdc_batt_comm API", &line);
  const std::uint16_t port = port_in(line);
  ASSERT_NE(port, 0) << line;
  EXPECT_EQ(get(port, "/dcdc/get", 400)["err"], "1-1: timeout (no complete reply within 20 ms)");
  EXPECT_EQ(get(port, "/battery/get", 400)["err"], "comm error");
  EXPECT_EQ(get(port, "/version/get")["comm_interface_version"], "2.0");
  EXPECT_EQ(driver->stop(), 0);
}

// Found: `wattshare driver` + `eza-sim` kept charging at 2 A 49 s after a single /dcdc/set, its node
// gone. The driver now puts the converter to Waiting by itself when no request has come for the
// watchdog's bound (here 1 s); the line it logs is what this test waits for (no sleep).
TEST(DriverProcess, AConverterWhoseNodeFallsSilentGoesToWaitingByItself) {
  test::TempDir dir;
  auto eza = start({WATTSHARE_BIN, "eza-sim", "--pty-link", dir.path("eza"), "--rsoc", "40"}, "EZA2500");
  std::string line;
  auto driver = start({WATTSHARE_BIN, "driver", "--dcdc-serial", dir.path("eza"), "--port", "0", "--command-gap-ms", "0",
                       "--watchdog", "1"},
                      "dcdc_batt_comm API", &line);
  EXPECT_NE(line.find("Waiting after 1.0 s without a request"), std::string::npos) << line;
  const std::uint16_t port = port_in(line);
  ASSERT_NE(port, 0) << line;
  EXPECT_EQ(get(port, "/dcdc/set?mode=0x0041&dvg=350&dig=2")["status"]["status"], "0x0041");
  std::optional<std::string> log;
  while ((log = driver->read_line(std::chrono::seconds(20))) && log->find("converter put to Waiting") == std::string::npos) {
  }
  ASSERT_TRUE(log) << "the driver never put the converter to Waiting";
  EXPECT_NE(log->find("watchdog: no request from the node for 1.0 s"), std::string::npos) << *log;
  EXPECT_EQ(get(port, "/dcdc/get/status")["status"]["status"], "0x0000");
  EXPECT_EQ(driver->stop(), 0);
}

TEST(DriverProcess, TheWatchdogsBoundComesFromTheUnitsPolicyUnlessGiven) {
  test::TempDir dir;
  auto eza = start({WATTSHARE_BIN, "eza-sim", "--pty-link", dir.path("eza")}, "EZA2500");
  // The sample's policy with a 7 s grid-master loop.
  std::ifstream in{WATTSHARE_SOURCE_DIR "/examples/apis-sample/policy.json"};
  std::string text{std::istreambuf_iterator<char>(in), {}};
  const std::string loop = "\"mainLoopPeriodMsec\" : 5000";
  ASSERT_NE(text.find(loop), std::string::npos);
  text.replace(text.find(loop), loop.size(), "\"mainLoopPeriodMsec\" : 7000");
  const std::string policy = dir.write("policy.json", text);
  for (const auto& [args, expected] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{}, "Waiting after 10.0 s without a request"},
           {{"--policy", policy}, "Waiting after 14.0 s without a request"},
           {{"--policy", policy, "--watchdog", "3"}, "Waiting after 3.0 s without a request"},
           {{"--watchdog", "0"}, "no node-silence watchdog"}}) {
    std::vector<std::string> argv{WATTSHARE_BIN, "driver", "--dcdc-serial", dir.path("eza"), "--port", "0"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::string line;
    auto driver = start(argv, "dcdc_batt_comm API", &line);
    EXPECT_NE(line.find(expected), std::string::npos) << line;
    EXPECT_EQ(driver->stop(), 0);
  }
  const auto bad = test::run_command({WATTSHARE_BIN, "driver", "--dcdc-serial", dir.path("eza"), "--policy", dir.path("none.json")});
  EXPECT_EQ(bad.exit_code, 1);
}

TEST(DriverProcess, RefusesBadOptionsWithAClearMessage) {
  test::TempDir dir;
  auto r = test::run_command({WATTSHARE_BIN, "driver", "--dcdc-serial", dir.path("missing")});
  EXPECT_EQ(r.exit_code, 1);
  auto f = test::run_command({WATTSHARE_BIN, "eza-sim", "--pty-link", dir.path("x"), "--fault", "smoke"});
  EXPECT_EQ(f.exit_code, 2);
  dir.write("plain", "not a link");
  auto taken = test::run_command({WATTSHARE_BIN, "battery-sim", "--pty-link", dir.path("plain")});
  EXPECT_EQ(taken.exit_code, 1);
}

}  // namespace
}  // namespace wattshare

namespace wattshare {
namespace {

TEST(TwcProcess, TheMasterDrivesTheEmulatedChargerOverAPty) {
  test::TempDir dir;
  auto charger = start({WATTSHARE_BIN, "twc-sim", "--pty-link", dir.path("twc"), "--car", "20"}, "TWC Gen2");
  // Long enough for the link-up and the car's 4 s in state 08 (starting to charge) before 01.
  const auto r = test::run_command({WATTSHARE_BIN, "twc", "--serial", dir.path("twc"), "--amps", "13.5", "--seconds", "9", "--json"});
  ASSERT_EQ(r.exit_code, 0);
  const json out = json::parse(r.out, nullptr, false);
  ASSERT_EQ(out["slaves"].size(), 1u) << r.out;
  EXPECT_EQ(out["slaves"][0]["id"], "abcd");
  EXPECT_DOUBLE_EQ(out["slaves"][0]["actual_amps"].get<double>(), 13.5);
  EXPECT_EQ(out["slaves"][0]["state"], 1);
  EXPECT_EQ(charger->stop(), 0);
  EXPECT_EQ(test::run_command({WATTSHARE_BIN, "twc-sim", "--pty-link", dir.path("x"), "--fault", "smoke"}).exit_code, 2);
  EXPECT_EQ(test::run_command({WATTSHARE_BIN, "twc-sim"}).exit_code, 2);
  // --pty: no link, the pty's own name is printed and works the same.
  std::string line;
  auto unlinked = start({WATTSHARE_BIN, "twc-sim", "--pty", "--car", "10"}, "TWC Gen2", &line);
  const auto at = line.find("on /dev/pts/");
  ASSERT_NE(at, std::string::npos) << line;
  const std::string device = line.substr(at + 3, line.find(' ', at + 3) - at - 3);
  const auto r2 = test::run_command({WATTSHARE_BIN, "twc", "--serial", device, "--amps", "16", "--seconds", "9", "--json"});
  EXPECT_DOUBLE_EQ(json::parse(r2.out, nullptr, false)["total_actual_amps"].get<double>(), 10.0) << r2.out;
}

}  // namespace
}  // namespace wattshare

namespace wattshare {
namespace {

TEST(SunSpecProcess, ReadsTheSimulatedSiteOverModbusTcp) {
  std::string line;
  auto sim = start({WATTSHARE_BIN, "sunspec-sim", "--port", "0", "--kwp", "6", "--hour", "12"}, "SunSpec map", &line);
  const auto at = line.find("127.0.0.1:");
  ASSERT_NE(at, std::string::npos) << line;
  const std::string port = line.substr(at + 10, line.find(',', at) - at - 10);
  const auto r = test::run_command({WATTSHARE_BIN, "sunspec", "read", "--port", port, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const json out = json::parse(r.out, nullptr, false);
  EXPECT_EQ(out["manufacturer"], "SolarEdge");
  EXPECT_EQ(out["inverter_model"], 103);
  EXPECT_EQ(out["meters"], json::array({203}));
  // Noon in June on 6 kWp: the inverter produces; house = production − export.
  EXPECT_GT(out["inverter_power_w"].get<double>(), 1000);
  EXPECT_NEAR(out["house_power_w"].get<double>(),
              out["inverter_power_w"].get<double>() - out["meter_power_w"].get<double>(), 1e-9);
  EXPECT_EQ(sim->stop(), 0);
  // Nobody there: a clear error, exit 1.
  EXPECT_EQ(test::run_command({WATTSHARE_BIN, "sunspec", "read", "--port", port}).exit_code, 1);
}

}  // namespace
}  // namespace wattshare
