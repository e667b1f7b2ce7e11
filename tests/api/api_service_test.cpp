// The operator API in virtual time: two houses trade, the API shows units, deals and history,
// refuses writes without the token and bad input with a 4xx, and changes nothing then.
#include "api/api_service.hpp"

#include "api/history_recorder.hpp"
#include "api/static_files.hpp"
#include "support/temp_dir.hpp"
#include "engine/engine_fixture.hpp"

namespace wattshare {
namespace {

constexpr const char* kToken = "0123456789abcdef0123";

class ApiTest : public test::EngineFixture {
 protected:
  void SetUp() override {
    build({{"E001", 95}, {"E002", 40}});
    store_ = HistoryStore::open(":memory:").value();
    sharing_ = std::make_unique<EngineSharingView>(*engine_, hours(9));
    recorder_ = std::make_unique<HistoryRecorder>(*community_, *sharing_, *store_, *scheduler_, minutes(1));
    recorder_->start();
    api_ = std::make_unique<ApiService>(ApiContext{*community_, *sharing_, *store_, *scheduler_, nullptr, kToken, hours(9)});
  }
  void TearDown() override {
    recorder_.reset();
    EngineFixture::TearDown();
  }
  HttpResponse call(const std::string& method, const std::string& target, const std::string& body = {},
                    bool token = true) {
    return api_->handle({method, target, body, token ? std::string("Bearer ") + kToken : std::string()});
  }
  Json get(const std::string& target, int status = 200) {
    const HttpResponse r = call("GET", target);
    EXPECT_EQ(r.status, status) << target << ": " << r.body;
    return parse_json_text(r.body, target).value();
  }
  Json post(const std::string& target, const std::string& body, int status = 200, bool token = true) {
    const HttpResponse r = call("POST", target, body, token);
    EXPECT_EQ(r.status, status) << target << ": " << r.body;
    return parse_json_text(r.body, target).value();
  }

  std::unique_ptr<HistoryStore> store_;
  std::unique_ptr<EngineSharingView> sharing_;
  std::unique_ptr<HistoryRecorder> recorder_;
  std::unique_ptr<ApiService> api_;
};

TEST_F(ApiTest, ShowsUnitsDealsAndHistoryAsTheyTrade) {
  const Json units = get("/api/units");
  ASSERT_EQ(units.size(), 2u);
  EXPECT_EQ(units[0]["id"], "E001");
  EXPECT_NEAR(units[0]["rsoc"].get<double>(), 95.0, 0.5);
  EXPECT_EQ(units[0]["effective_mode"], "autonomous");
  EXPECT_TRUE(units[0]["local_mode"].is_null());

  ASSERT_TRUE(run_until([&] { return !get("/api/deals?state=active").empty(); }, minutes(5)));
  const Json active = get("/api/deals?state=active");
  EXPECT_EQ(active[0]["dischargeUnitId"], "E001");
  EXPECT_EQ(active[0]["chargeUnitId"], "E002");
  EXPECT_EQ(get("/deals")[0]["chargingUnit"], "E002");  // apis-web's legacy shape
  // The voltage reference and the grid master are marked once the deal runs.
  ASSERT_TRUE(run_until([&] { return get("/api/units/E002")["voltage_reference"].get<bool>(); }, minutes(2)));
  EXPECT_EQ(get("/api/units/E002")["deals"].size(), 1u);
  ASSERT_TRUE(run_until([&] { return get("/api/deals?state=active").empty(); }, hours(1)));

  const Json history = get("/api/deals?state=history");
  EXPECT_GE(history["total"].get<int>(), 1);
  EXPECT_EQ(history["deals"][0]["chargeUnitId"], "E002");
  const Json totals = get("/api/totals");
  EXPECT_GT(totals["shared_wh"].get<double>(), 0);
  EXPECT_EQ(totals["invariant_violations"], 0);
  const Json series = get("/api/history/E002?points=1000");
  EXPECT_GE(series["samples"].size(), 5u);
  EXPECT_LT(series["samples"][0]["rsoc"].get<double>(), series["samples"].back()["rsoc"].get<double>());
  const HttpResponse csv = call("GET", "/api/history/E002.csv");
  EXPECT_EQ(csv.content_type, "text/csv");
  EXPECT_TRUE(csv.body.starts_with("time,unit,rsoc,"));
  EXPECT_TRUE(call("GET", "/api/deals.csv").body.starts_with("disposed,dealId,json\n"));
  EXPECT_GE(get("/api/totals/history")["samples"].size(), 5u);
  const std::string metrics = call("GET", "/metrics").body;
  EXPECT_NE(metrics.find("wattshare_unit_rsoc_percent{unit=\"E002\"}"), std::string::npos);
  EXPECT_NE(metrics.find("wattshare_deals_total{outcome=\"completed\"}"), std::string::npos);
  const Json log = get("/get/log");
  EXPECT_TRUE(log.contains("E001"));
  EXPECT_EQ(get("/unitIds"), (Json{"E001", "E002"}));
}

// Issue 18: a house's water heater and car, as its owner would see them, in /api/units/<id>,
// the totals and /metrics; a house without them shows none (and no empty metric families).
class ApiFlexibleLoadsTest : public ApiTest {
 protected:
  void tweak(UnitSpec& u) override {
    if (u.id != "E002") return;
    u.water_heater = WaterHeaterParams{.seed = 7};
    u.ev = EvParams{.battery_kwh = 40, .max_w = 3700, .start_soc = 0.5, .seed = 7};
  }
};

TEST_F(ApiFlexibleLoadsTest, ShowTheTankAndTheCar) {
  run_until([] { return false; }, minutes(30));  // Monday 1 March 2021, 12:00 to 12:30 in Okinawa
  const Json e2 = get("/api/units/E002");
  ASSERT_TRUE(e2.contains("water_heater")) << e2.dump();
  EXPECT_LT(e2["water_heater"]["temperature_c"].get<double>(), 60);  // it starts at 60 °C and loses heat
  EXPECT_GT(e2["water_heater"]["temperature_c"].get<double>(), 59);  // ~52 W out of 232.6 Wh/K
  EXPECT_EQ(e2["water_heater"]["surplus_w"], 0.0);  // no PV in this fixture: nothing to route
  ASSERT_TRUE(e2.contains("ev"));
  EXPECT_FALSE(e2["ev"]["plugged"].get<bool>());  // a workday: the car is out until the evening
  EXPECT_EQ(e2["ev"]["power_w"], 0.0);
  // It left with 20 kWh (its trip, 8 kWh ± 40 %, is counted as it goes).
  EXPECT_LT(e2["ev"]["soc_pct"].get<double>(), 50 - 100 * 4.8 / 40 + 1e-9);
  EXPECT_GT(e2["ev"]["soc_pct"].get<double>(), 50 - 100 * 11.2 / 40 - 1e-9);
  EXPECT_FALSE(get("/api/units/E001").contains("water_heater"));
  EXPECT_FALSE(get("/api/units/E001").contains("ev"));
  const Json totals = get("/api/totals");
  EXPECT_EQ(totals["flexible_policy"], "value");
  EXPECT_EQ(totals["heater_wh"], 0.0);  // above its thermostat's 40 °C, out of the night window
  EXPECT_EQ(totals["curtailment_avoided_wh"], 0.0);
  const std::string metrics = call("GET", "/metrics").body;
  EXPECT_NE(metrics.find("wattshare_unit_water_temperature_celsius{unit=\"E002\"}"), std::string::npos) << metrics;
  EXPECT_EQ(metrics.find("wattshare_unit_water_temperature_celsius{unit=\"E001\"}"), std::string::npos);
  EXPECT_NE(metrics.find("wattshare_unit_ev_plugged{unit=\"E002\"} 0"), std::string::npos);
  EXPECT_NE(metrics.find("wattshare_energy_wh_total{flow=\"water_heater\"}"), std::string::npos);
}

TEST_F(ApiTest, WritesNeedTheTokenAndChangeModes) {
  EXPECT_EQ(post("/api/mode", R"({"mode":"stop"})", 401, false)["error"],
            "a bearer token is required (Authorization: Bearer <token>)");
  EXPECT_EQ(engine_->fabric().global_mode(), OperationMode::kAutonomous);
  EXPECT_EQ(call("GET", "/quiet", {}, false).status, 401);
  EXPECT_EQ(post("/api/mode", R"({"mode":"heteronomous"})")["global"], "heteronomous");
  EXPECT_EQ(get("/api/mode")["global"], "heteronomous");
  EXPECT_EQ(get("/getStatus")["active"], true);
  EXPECT_EQ(call("POST", "/stop").status, 200);
  EXPECT_EQ(get("/getStatus")["active"], false);
  EXPECT_EQ(post("/api/units/E001/local-mode", R"({"mode":"stop"})")["local_mode"], "stop");
  EXPECT_EQ(get("/api/mode")["local"]["E001"], "stop");
  EXPECT_EQ(get("/api/units")[0]["local_mode"], "stop");  // a write drops the cached answer
  post("/api/units/E001/local-mode", R"({"mode":"heteronomous"})");
  EXPECT_EQ(get("/api/units")[0]["local_mode"], "heteronomous");
  EXPECT_TRUE(post("/api/units/E001/local-mode", R"({"mode":null})")["local_mode"].is_null());
  EXPECT_EQ(call("GET", "/setOperationMode?unitId=E002&value=heteronomous").status, 200);
  EXPECT_EQ(engine_->agent(1).local_mode(), OperationMode::kHeteronomous);
}

TEST_F(ApiTest, ManualConverterControlOnlyInManual) {
  EXPECT_EQ(post("/api/units/E001/dcdc", R"({"mode":"0x0014","dvg":350,"dig":2})", 409)["error"],
            "manual converter control needs the global mode manual");
  EXPECT_EQ(mode_of("E001"), DcdcMode::kWait);
  post("/api/mode", R"({"mode":"manual"})");
  scheduler_->run_for(seconds(30));  // deals in flight wind down
  const Json r = post("/api/units/E001/dcdc", R"({"mode":"0x0014","dvg":350,"dig":2})");
  EXPECT_EQ(r["status"]["status"], "0x0014");
  EXPECT_EQ(mode_of("E001"), DcdcMode::kVoltageReference);
  EXPECT_EQ(post("/api/units/E001/dcdc", R"({"dig":"two"})", 400)["error"], "dig: expected a number");
  EXPECT_EQ(post("/api/units/E001/dcdc", R"({"mode":"0x0003"})", 400)["error"],
            "mode: expected 0x0000, 0x0014, 0x0002 or 0x0041");
  post("/api/units/E001/dcdc", R"({"mode":"0x0000"})");
  EXPECT_EQ(mode_of("E001"), DcdcMode::kWait);
}

TEST_F(ApiTest, BadRequestsGetAClear4xx) {
  EXPECT_EQ(get("/api/units/E404", 404)["error"], "unknown unit 'E404'");
  EXPECT_EQ(get("/api/nothing", 404)["error"], "no such path: /api/nothing");
  EXPECT_EQ(get("/api/deals?state=old", 400)["error"], "state=old: expected active or history");
  EXPECT_EQ(get("/api/deals?state=history&limit=0", 400)["error"], "limit: expected a whole number from 1 to 1000");
  EXPECT_NE(get("/api/history/E001?from=yesterday", 400)["error"].get<std::string>().find("from: "), std::string::npos);
  EXPECT_EQ(get("/api/history/E001?from=2000&to=1000", 400)["error"], "from is after to");
  EXPECT_EQ(post("/api/mode", "{not json", 400)["error"].get<std::string>().rfind("request body", 0), 0u);
  EXPECT_EQ(post("/api/mode", "[1]", 400)["error"], "request body: expected a JSON object");
  EXPECT_NE(post("/api/mode", R"({"mode":"fast"})", 400)["error"].get<std::string>().find("fast"), std::string::npos);
  EXPECT_EQ(post("/api/acceleration", R"({"acceleration":10})", 409)["error"],
            "this server runs in virtual time: no acceleration to set");
  EXPECT_EQ(call("DELETE", "/api/units").status, 405);
  EXPECT_EQ(engine_->fabric().global_mode(), OperationMode::kAutonomous);
  // Found: offset=1e300 was taken (and cast to an integer: undefined behaviour).
  EXPECT_EQ(get("/api/deals?state=history&offset=1e300", 400)["error"], "offset: expected a whole number from 0 to 1000000000");
  EXPECT_EQ(get("/api/history/E001?points=100000", 400)["error"], "points: expected 1 to 10000");
  EXPECT_EQ(get("/api/history/E001?from=0&to=100000000000", 400)["error"],
            "from..to spans 1157 days: at most 400 per request");
}

// History reads may run off the API's thread: deferrable() prepares exactly the reads handle()
// answers, and a query run on another connection gives the same answer.
TEST_F(ApiTest, HistoryReadsArePreparedToRunElsewhereWithTheSameAnswer) {
  ASSERT_TRUE(run_until([&] { return get("/api/totals/history")["samples"].size() >= 20; }, hours(2)));
  for (const char* target : {"/api/history/E001?points=7", "/api/history/E002.csv", "/api/totals/history?points=3",
                             "/api/deals.csv"}) {
    const auto q = api_->deferrable({"GET", target, {}, {}});
    ASSERT_TRUE(q) << target;
    EXPECT_EQ(q->run(*store_).body, call("GET", target).body) << target;
  }
  EXPECT_EQ(get("/api/history/E001?points=7")["samples"].size(), 7u);
  for (const char* target : {"/api/units", "/api/history/E009", "/api/history/E001?points=0", "/api/deals"}) {
    EXPECT_FALSE(api_->deferrable({"GET", target, {}, {}})) << target;
  }
  EXPECT_FALSE(api_->deferrable({"POST", "/api/history/E001", {}, {}}));
}

// Found: with the disk full the health said "ok", the queue grew without end and rows were lost
// at exit without a word. Now the health is degraded at once, /metrics counts, the problem is
// told once, and the queue is bounded with a count of what it dropped.
TEST_F(ApiTest, AFullHistoryStoreIsReportedAndItsQueueIsBounded) {
  test::TempDir dir;
  auto tiny = HistoryStore::open(dir.path("history.sqlite"), 64 * 1024).value();
  std::vector<std::string> problems;
  recorder_ = std::make_unique<HistoryRecorder>(*community_, *sharing_, *tiny, *scheduler_, seconds(30),
                                                [&](const std::string& p) { problems.push_back(p); });
  recorder_->start();
  api_ = std::make_unique<ApiService>(ApiContext{*community_, *sharing_, *tiny, *scheduler_, nullptr, kToken, hours(9), {},
                                                 {}, [&] { return recorder_->health(); }});
  EXPECT_EQ(get("/api/health")["status"], "ok");
  ASSERT_TRUE(run_until([&] { return recorder_->health().write_errors > 0; }, hours(24)));
  const Json health = get("/api/health");
  EXPECT_EQ(health["status"], "degraded");
  EXPECT_EQ(health["history"]["ok"], false);
  EXPECT_NE(health["history"]["error"].get<std::string>().find("database or disk is full"), std::string::npos) << health.dump();
  ASSERT_EQ(problems.size(), 1u);  // once, not at every refused write
  EXPECT_NE(problems[0].find("database or disk is full"), std::string::npos) << problems[0];
  const std::string metrics = call("GET", "/metrics").body;
  EXPECT_NE(metrics.find("wattshare_history_write_errors_total"), std::string::npos);
  EXPECT_EQ(metrics.find("wattshare_history_write_errors_total 0\n"), std::string::npos) << metrics;
  // A week at one sample every 30 s: the queue stops at its bound and counts what it dropped.
  scheduler_->run_for(hours(24 * 7));
  EXPECT_EQ(recorder_->queued(), HistoryRecorder::kMaxQueued);
  EXPECT_GT(recorder_->health().dropped, 0u);
  EXPECT_EQ(get("/api/health")["history"]["dropped"], recorder_->health().dropped);
}

}  // namespace
}  // namespace wattshare

namespace wattshare {
namespace {

TEST(StaticFiles, ServeTheBuiltDashboardAndNothingOutsideIt) {
  test::TempDir dir;
  dir.write("web/index.html", "<html></html>");
  dir.write("web/assets/app-1a2b.js", "console.log(1)");
  dir.write("secret.txt", "no");
  const std::string root = dir.path("web");
  const auto index = serve_static(root, "/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->body, "<html></html>");
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  const auto js = serve_static(root, "/assets/app-1a2b.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(js->headers.at(0).second, "public, max-age=31536000, immutable");
  EXPECT_FALSE(serve_static(root, "/../secret.txt"));
  EXPECT_FALSE(serve_static(root, "/assets/../../secret.txt"));
  EXPECT_FALSE(serve_static(root, "/missing.js"));
  EXPECT_FALSE(serve_static("", "/"));
}

}  // namespace
}  // namespace wattshare
