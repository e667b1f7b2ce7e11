// The APIS driver protocol over the emulated community, request by request (no sockets; the
// same handler runs behind real HTTP in tests/integration).
#include "devices/apis_http/driver_server.hpp"

#include <gtest/gtest.h>

#include "config/community.hpp"

namespace wattshare {
namespace {

class DriverServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto spec = load_community(std::string(WATTSHARE_SOURCE_DIR) + "/examples/apis-sample");
    ASSERT_TRUE(spec.has_value()) << spec.error().message;
    community_ = std::make_unique<Community>(*spec);
    server_ = std::make_unique<DriverServer>(*community_, [] {}, nullptr);
  }
  Json get(const std::string& target, int expect_status = 200) {
    const HttpResponse r = server_->handle({"GET", target, {}, {}});
    EXPECT_EQ(r.status, expect_status) << target << " -> " << r.body;
    EXPECT_EQ(r.content_type, "application/json");
    return Json::parse(r.body);
  }
  std::unique_ptr<Community> community_;
  std::unique_ptr<DriverServer> server_;
};

TEST_F(DriverServerTest, EmulatorUnitJsonCarriesApisFields) {
  const Json u = get("/get/unit/E001");
  EXPECT_TRUE(u["emu"].contains("rsoc"));  // apis-main (dcdc_emulator) builds battery from it
  EXPECT_NEAR(u["emu"]["rsoc"].get<double>(), 60, 0.01);
  EXPECT_EQ(u["dcdc"]["status"]["status"], "0x0000");
  EXPECT_EQ(u["dcdc"]["status"]["operationMode"], "Waiting");
  EXPECT_EQ(u["dcdc"]["status"]["alarmState"], "No alarm");
  for (const char* k : {"wg", "vg", "ig", "wb", "vb", "ib", "tmp"})
    EXPECT_TRUE(u["dcdc"]["meter"].contains(k)) << k;
  EXPECT_TRUE(u["dcdc"]["vdis"].contains("dvg"));
  EXPECT_TRUE(u["dcdc"]["param"].contains("dig"));
  EXPECT_EQ(u["oesunit"]["id"], "E001");
  EXPECT_EQ(u["time"], "2020/01/01-09:00:00");  // the community starts at 2020-01-01 UTC, UTC+9
}

TEST_F(DriverServerTest, SetModeAnswersStatusMeterVdisParamAndMovesTheConverter) {
  const Json r = get("/set/dcdc/E001?mode=0x0014&dvg=350&dig=2.3&drg=0");
  EXPECT_EQ(r["status"]["status"], "0x0014");
  EXPECT_EQ(r["status"]["operationMode"], "Grid Autonomy");
  EXPECT_DOUBLE_EQ(r["vdis"]["dvg"].get<double>(), 350);
  EXPECT_DOUBLE_EQ(r["param"]["dig"].get<double>(), 2.3);
  community_->advance_to(community_->time() + seconds(30));
  EXPECT_NEAR(get("/get/dcdc/E001")["meter"]["vg"].get<double>(), 350, 0.01);
  const Json volt = get("/set/dcdc/voltage/E001?dvg=340&drg=0.039");
  EXPECT_TRUE(volt.contains("meter"));
  EXPECT_DOUBLE_EQ(volt["vdis"]["drg"].get<double>(), 0.039);
  EXPECT_FALSE(volt.contains("param"));
  const Json cur = get("/set/dcdc/current/E001?dig=2");
  EXPECT_DOUBLE_EQ(cur["param"]["dig"].get<double>(), 2);
  EXPECT_FALSE(cur.contains("vdis"));
  const Json status = get("/get/dcdc/status/E001");
  EXPECT_EQ(status["status"]["status"], "0x0014");
  EXPECT_FALSE(status.contains("vdis"));
}

TEST_F(DriverServerTest, DcdcBattCommStyleUnderAUnitPrefix) {
  const Json v = get("/E002/version/get");
  EXPECT_EQ(v["comm_interface_version"], "2.0");
  const Json all = get("/E002/all/get");  // the flat form of apis-dcdc_batt_comm
  EXPECT_TRUE(all.contains("rsoc"));
  EXPECT_EQ(all["battery_operation_status"], 3);
  for (const char* k : {"meter", "param", "status", "vdis"}) EXPECT_TRUE(all.contains(k)) << k;
  const Json b = get("/E002/battery/get");
  EXPECT_EQ(b.size(), 2u);
  const Json set = get("/E002/dcdc/set?dvg=350&dig=0");  // no mode: voltage+current answer
  EXPECT_TRUE(set.contains("meter"));
  EXPECT_EQ(server_->handle_unit({"GET", "/dcdc/get", {}, {}}, 1).status, 200);
}

TEST_F(DriverServerTest, BadRequestsAre4xxWithAJsonErrorAndChangeNothing) {
  get("/set/dcdc/E001?mode=0x0014&dvg=350&dig=2.3&drg=0");
  const std::string before = get("/get/dcdc/E001").dump();
  struct Case {
    std::string target;
    int status;
    std::string key, fragment;
  };
  const Case cases[] = {
      {"/set/dcdc/E001?mode=0x9999&dvg=350&dig=2&drg=0", 400, "error", "mode '0x9999'"},
      {"/set/dcdc/E001?mode=0x0014&dvg=abc", 400, "error", "dvg 'abc' is not a decimal"},
      {"/set/dcdc/E001?dvg=500", 400, "error", "dvg 500 V is outside"},
      {"/set/dcdc/E001?dig=-2", 400, "error", "dig -2 A is outside"},
      {"/set/dcdc/E001?drg=2", 400, "error", "drg 2 is outside"},
      {"/set/dcdc/E001?dvg=350&dvg=360", 400, "error", "more than once"},
      {"/set/dcdc/E001?volts=350", 400, "error", "unknown parameter 'volts'"},
      {"/set/dcdc/E001", 400, "error", "nothing to set"},
      {"/set/dcdc/voltage/E001?dig=1", 400, "error", "takes only dvg and drg"},
      {"/set/dcdc/E009?dvg=350", 404, "error", "unknown unit 'E009'"},
      {"/E001/dcdc/set?mode=zz", 400, "err", "mode 'zz'"},
      {"/E009/dcdc/get", 404, "err", "unknown unit 'E009'"},
      {"/nowhere", 404, "error", "unknown path"},
      {"/set/dcdc/E001?dvg=%zz", 400, "error", "bad percent escape"},
  };
  for (const auto& c : cases) {
    const Json e = get(c.target, c.status);
    ASSERT_TRUE(e.contains(c.key)) << c.target << ": " << e.dump();
    EXPECT_NE(e[c.key].get<std::string>().find(c.fragment), std::string::npos)
        << c.target << ": " << e.dump();
  }
  EXPECT_EQ(get("/get/dcdc/E001").dump(), before);
  EXPECT_EQ(server_->handle({"POST", "/get/unit/E001", {}, {}}).status, 405);
}

TEST_F(DriverServerTest, GetLogListsEveryUnit) {
  const Json all = get("/get/log");
  EXPECT_EQ(all.size(), 4u);
  EXPECT_TRUE(all.contains("E004"));
  get("/get/acc", 404);  // no acceleration control in this server
}

}  // namespace
}  // namespace wattshare

namespace wattshare {
namespace {

// Found by fuzz_driver_request: a path with invalid UTF-8 echoed in the error must not throw.
TEST_F(DriverServerTest, InvalidUtf8InThePathIsA404NotACrash) {
  const HttpResponse r = server_->handle({"GET", "/\xff\xff/all/get", {}, {}});
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("unknown unit"), std::string::npos) << r.body;
  EXPECT_TRUE(Json::accept(r.body)) << r.body;
}

}  // namespace
}  // namespace wattshare
