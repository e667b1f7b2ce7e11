// `wattshare emulator` as a real process, spoken to over real HTTP on loopback.
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/apis_time.hpp"
#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/raw_socket.hpp"

namespace wattshare {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

class EmulatorProcess : public ::testing::Test {
 protected:
  void SetUp() override {
    // 10^5 virtual seconds per real second: ramps of seconds pass in microseconds. This test
    // stands in for every unit's node and polls one unit at a time: no node-silence watchdog
    // (EmulatorWatchdog below tests it).
    process_ = std::make_unique<test::ChildProcess>(std::vector<std::string>{
        WATTSHARE_BIN, "emulator", "--config",
        std::string(WATTSHARE_SOURCE_DIR) + "/examples/apis-sample", "--port", "0",
        "--acceleration", "100000", "--watchdog", "0"});
    const auto line = process_->read_line(milliseconds(30000));
    ASSERT_TRUE(line.has_value()) << "the emulator printed nothing";
    const std::string marker = "http://127.0.0.1:";
    const auto at = line->find(marker);
    ASSERT_NE(at, std::string::npos) << *line;
    port_ = static_cast<std::uint16_t>(std::stoi(line->substr(at + marker.size())));
  }
  void TearDown() override {
    if (process_) {
      EXPECT_EQ(process_->stop(), 0);  // SIGTERM: a clean exit
    }
  }
  json get(const std::string& target, int status = 200) {
    const auto r = test::http_get("127.0.0.1", port_, target);
    EXPECT_EQ(r.status, status) << target << ": " << r.body;
    return json::parse(r.body.empty() ? "null" : r.body, nullptr, false);
  }
  // Polls (bounded) until the unit's status and measured current match: virtual time runs on.
  json await_dcdc(const std::string& unit, const std::string& mode, double ig, double tol) {
    json d;
    for (int i = 0; i < 500; ++i) {
      d = get("/get/dcdc/" + unit);
      if (d["status"]["status"] == mode && std::abs(d["meter"]["ig"].get<double>() - ig) < tol)
        return d;
    }
    ADD_FAILURE() << unit << " never reached " << mode << " at ig " << ig << ": " << d.dump();
    return d;
  }
  std::unique_ptr<test::ChildProcess> process_;
  std::uint16_t port_ = 0;
};

TEST_F(EmulatorProcess, ServesEveryReadEndpoint) {
  EXPECT_EQ(get("/get/unit/E001")["oesunit"]["id"], "E001");
  EXPECT_TRUE(get("/get/dcdc/E002").contains("param"));
  EXPECT_TRUE(get("/get/dcdc/status/E003").contains("status"));
  EXPECT_TRUE(get("/get/emu/E004").contains("rsoc"));
  EXPECT_EQ(get("/get/log").size(), 4u);
  EXPECT_EQ(get("/get/acc")["acc"], 100000.0);
  EXPECT_EQ(get("/E001/version/get")["comm_interface_version"], "2.0");
  EXPECT_TRUE(get("/E001/dcdc/get").contains("vdis"));
  EXPECT_TRUE(get("/E001/dcdc/get/status").contains("meter"));
  EXPECT_EQ(get("/E001/battery/get")["battery_operation_status"], 3);
  EXPECT_TRUE(get("/E001/all/get").contains("rsoc"));
  EXPECT_EQ(get("/set/acc/5000")["acc"], 5000.0);
  EXPECT_EQ(get("/set/acc/0", 400)["error"], "acceleration 0 is outside (0, 1000000]");
}

// Every sequence of the reference's mode-change table (apis.md §7.2), in its order.
TEST_F(EmulatorProcess, FollowsTheModeChangeSequences) {
  // From Stop: set dvg and dig, then the mode. E001 becomes the voltage reference.
  get("/set/dcdc/voltage/E001?dvg=350&drg=0");
  get("/set/dcdc/current/E001?dig=2.3");
  EXPECT_EQ(get("/set/dcdc/E001?mode=0x0014")["status"]["operationMode"], "Grid Autonomy");
  // From Stop to CC discharge (E002, dvg 380, dig 1) and CC charge (E003, dvg 350, dig 1).
  get("/set/dcdc/voltage/E002?dvg=380&drg=0");
  get("/set/dcdc/current/E002?dig=1");
  get("/set/dcdc/E002?mode=0x0002");
  get("/E003/dcdc/set?dvg=350&dig=1");
  EXPECT_EQ(get("/E003/dcdc/set?mode=0x0041")["status"]["status"], "0x0041");
  await_dcdc("E002", "0x0002", -1.0, 0.01);
  const json in = await_dcdc("E003", "0x0041", 1.0, 0.01);
  EXPECT_NEAR(in["meter"]["vg"].get<double>(), 350, 2.0);
  EXPECT_GT(in["meter"]["wg"].get<double>(), 340);
  // CC -> Stop: the mode first, then dvg / dig.
  get("/set/dcdc/E002?mode=0x0000");
  get("/set/dcdc/E002?dvg=350&dig=0");
  await_dcdc("E002", "0x0000", 0.0, 1e-6);
  // CC -> CV: dvg, then the mode, then dig. E003 takes over as a second (drooping) reference.
  get("/set/dcdc/voltage/E003?dvg=350&drg=0.039");
  get("/set/dcdc/E003?mode=0x0014");
  get("/set/dcdc/current/E003?dig=2.3");
  const json vr = get("/get/dcdc/E003");
  EXPECT_EQ(vr["status"]["status"], "0x0014");
  EXPECT_DOUBLE_EQ(vr["param"]["dig"].get<double>(), 2.3);
  // All back to Stop.
  for (const char* u : {"E001", "E003"}) get(std::string("/set/dcdc/") + u + "?mode=0x0000&dvg=350&dig=0");
  const json all = get("/get/log");
  for (const char* u : {"E001", "E002", "E003", "E004"})
    EXPECT_EQ(all[u]["dcdc"]["status"]["status"], "0x0000") << u;
}

TEST_F(EmulatorProcess, BadRequestsGet4xxJsonAndChangeNothing) {
  get("/set/dcdc/E004?mode=0x0014&dvg=350&dig=2.3&drg=0");
  const json before = get("/get/dcdc/E004");
  EXPECT_NE(get("/set/dcdc/E004?mode=0x9999", 400)["error"].get<std::string>().find("0x9999"),
            std::string::npos);
  get("/set/dcdc/E004?dvg=abc", 400);  // apis-emulator hangs forever on this one
  get("/set/dcdc/E004?dig=100", 400);
  get("/E004/dcdc/set?drg=-1", 400);
  get("/set/dcdc/E042?dvg=350", 404);
  const json after = get("/get/dcdc/E004");
  EXPECT_EQ(after["status"], before["status"]);
  EXPECT_EQ(after["vdis"], before["vdis"]);
  EXPECT_EQ(after["param"], before["param"]);
  // Malformed HTTP gets a 400 and the server keeps serving.
  const std::string raw = test::raw_exchange("127.0.0.1", port_, "GARBAGE\r\n\r\n");
  EXPECT_NE(raw.find("400"), std::string::npos) << raw;
  EXPECT_EQ(test::http_request("127.0.0.1", port_, "POST", "/get/unit/E001", "{}").status, 405);
  EXPECT_EQ(get("/get/unit/E001")["oesunit"]["id"], "E001");
}

// Found: any web page could command a converter (<img src=".../set/dcdc/E001?mode=0x0014">), and
// a DNS-rebinding page could read it. The driver port takes programs only: what a browser sends
// is refused before anything changes; apis-main's own GETs still work.
TEST_F(EmulatorProcess, WhatABrowserSendsIsRefusedAndChangesNothing) {
  const std::string command = "/set/dcdc/E001?mode=0x0014&dvg=350&dig=2.3&drg=0";
  for (const test::Headers& browser : std::vector<test::Headers>{
           {{"Sec-Fetch-Site", "cross-site"}, {"Sec-Fetch-Mode", "no-cors"}, {"Sec-Fetch-Dest", "image"}},
           {{"Origin", "http://evil.example"}},
           {{"Host", "rebind.evil.example:" + std::to_string(port_)}}}) {
    const auto r = test::http_request_with_headers("127.0.0.1", port_, "GET", command, browser);
    EXPECT_EQ(r.status, 403) << r.body;
  }
  EXPECT_EQ(get("/get/dcdc/status/E001")["status"]["status"], "0x0000");
  EXPECT_EQ(get(command)["status"]["status"], "0x0014");  // apis-main (no browser headers)
}

// The fail-safe at the device: a converter whose node sends nothing for the watchdog's bound goes
// to Waiting by itself; one whose node keeps asking stays as commanded. At 20x the default bound
// (two 5 s grid-master loops of the sample's policy) is held to one second of real time: 20 s.
// Times are the emulator's own, read from its units' data.
TEST(EmulatorWatchdog, OnlyTheConverterWhoseNodeFellSilentGoesToWaiting) {
  std::string line;
  auto emulator = test::start({WATTSHARE_BIN, "emulator", "--config", std::string(WATTSHARE_SOURCE_DIR) + "/examples/apis-sample",
                               "--port", "0", "--acceleration", "20"},
                              "listening on", &line);
  EXPECT_NE(line.find("Waiting after 20.0 s without a request"), std::string::npos) << line;
  const std::uint16_t port = test::port_in(line);
  ASSERT_NE(port, 0) << line;
  const auto get = [&](const std::string& target) {
    const auto r = test::http_get("127.0.0.1", port, target);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return json::parse(r.body.empty() ? "null" : r.body, nullptr, false);
  };
  // /get/log is what a dashboard reads: it does not keep any unit's watchdog alive.
  const auto time_of = [](const json& unit) { return parse_apis_time(unit["time"].get<std::string>(), hours(9)).value(); };
  get("/set/dcdc/E001?mode=0x0014&dvg=350&dig=2.3&drg=0");
  const TimePoint set_at = time_of(get("/get/log")["E001"]);
  get("/set/dcdc/E002?mode=0x0014&dvg=350&dig=2.3&drg=0.039");
  json log;
  while (true) {  // E002's node keeps asking for its data; E001's says nothing
    EXPECT_EQ(get("/get/unit/E002")["dcdc"]["status"]["status"], "0x0014");
    log = get("/get/log");
    if (log["E001"]["dcdc"]["status"]["status"] == "0x0000") break;
    ASSERT_LT(time_of(log["E001"]) - set_at, seconds(60)) << "E001 still driving: " << log["E001"].dump();
  }
  // The bound, plus the time of one poll round here (at most a few seconds at 20x).
  EXPECT_GE(time_of(log["E001"]) - set_at, seconds(18));  // times are whole seconds
  EXPECT_LE(time_of(log["E001"]) - set_at, seconds(20) + seconds(5));
  EXPECT_EQ(log["E002"]["dcdc"]["status"]["status"], "0x0014");
  EXPECT_EQ(emulator->stop(), 0);
}

// CPU time (user + system) a process has used, from /proc.
double cpu_seconds(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/stat"};
  std::string stat{std::istreambuf_iterator<char>(in), {}};
  std::istringstream fields{stat.substr(stat.rfind(')') + 2)};  // after "pid (comm) "
  std::string f;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(f);  // utime, stime
  }
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// Found: out of descriptors (EMFILE) the accept loop spun at 92 % CPU and the server answered
// nobody. Now it pauses between tries, and serves again once descriptors are free.
TEST(EmulatorUnderLoad, OutOfDescriptorsTheServerWaitsInsteadOfSpinningAndRecovers) {
  std::string line;
  auto emulator = test::start({"/usr/bin/prlimit", "--nofile=40", WATTSHARE_BIN, "emulator", "--config",
                               std::string(WATTSHARE_SOURCE_DIR) + "/examples/apis-sample", "--port", "0", "--watchdog", "0"},
                              "listening on", &line);
  const std::uint16_t port = test::port_in(line);
  ASSERT_NE(port, 0) << line;
  std::vector<test::RawSocket> clients;
  for (int i = 0; i < 80; ++i) clients.emplace_back("127.0.0.1", port);  // more than it has descriptors for
  const double before = cpu_seconds(emulator->pid());
  std::this_thread::sleep_for(std::chrono::seconds(2));  // a window to measure CPU in, not a wait for an event
  const double used = cpu_seconds(emulator->pid()) - before;
  EXPECT_LT(used, 0.5) << "the accept loop spins";
  clients.clear();
  int status = 0;
  for (int i = 0; i < 200 && status != 200; ++i) status = test::http_get("127.0.0.1", port, "/get/acc").status;
  EXPECT_EQ(status, 200);
  EXPECT_EQ(emulator->stop(), 0);
}

}  // namespace
}  // namespace wattshare
