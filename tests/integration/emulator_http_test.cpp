// `wattshare emulator` as a real process, spoken to over real HTTP on loopback.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/http_client.hpp"
#include "support/process.hpp"

namespace wattshare {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

class EmulatorProcess : public ::testing::Test {
 protected:
  void SetUp() override {
    // 10^5 virtual seconds per real second: ramps of seconds pass in microseconds.
    process_ = std::make_unique<test::ChildProcess>(std::vector<std::string>{
        WATTSHARE_BIN, "emulator", "--config",
        std::string(WATTSHARE_SOURCE_DIR) + "/examples/apis-sample", "--port", "0",
        "--acceleration", "100000"});
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

}  // namespace
}  // namespace wattshare
