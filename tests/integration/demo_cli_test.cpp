// `wattshare demo` as a real process: the API over real HTTP on loopback, the token, and a
// restart that keeps the history and carries on from it.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace wattshare {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

struct Demo {
  std::unique_ptr<test::ChildProcess> process;
  std::uint16_t port = 0;
  std::uint16_t apis_web_port = 0;  // with --apis-web-port

  explicit Demo(const std::string& data_dir, const std::vector<std::string>& more = {}) {
    std::vector<std::string> args{
        WATTSHARE_BIN, "demo", "--config", std::string(WATTSHARE_SOURCE_DIR) + "/examples/apis-sample",
        "--port", "0", "--data-dir", data_dir, "--acceleration", "3600", "--sample", "30"};
    args.insert(args.end(), more.begin(), more.end());
    const bool apis_web = std::find(more.begin(), more.end(), "--apis-web-port") != more.end();
    process = std::make_unique<test::ChildProcess>(args);
    for (int i = 0; i < 8 && (port == 0 || (apis_web && apis_web_port == 0)); ++i) {
      const auto line = process->read_line(milliseconds(30000));
      if (!line) break;
      const std::string marker = "http://127.0.0.1:";
      const auto at = line->find(marker);
      if (at == std::string::npos) continue;
      const auto number = static_cast<std::uint16_t>(std::stoi(line->substr(at + marker.size())));
      if (line->find("apis-web") != std::string::npos) apis_web_port = number;
      else if (port == 0) port = number;
    }
  }
  json get(const std::string& target, int status = 200) const {
    const auto r = test::http_get("127.0.0.1", port, target);
    EXPECT_EQ(r.status, status) << target << ": " << r.body;
    return json::parse(r.body.empty() ? "null" : r.body, nullptr, false);
  }
  // Polls (bounded) until `done`: community time runs at 3600x.
  template <typename Done>
  bool await(Done done) const {
    for (int i = 0; i < 300; ++i) {
      if (done()) return true;
      test::http_get("127.0.0.1", port, "/api/health");
    }
    return false;
  }
};

TEST(DemoProcess, ServesTheApiAndKeepsHistoryAcrossARestart) {
  test::TempDir dir;
  std::string token;
  std::string stopped_at;
  std::size_t samples = 0;
  {
    Demo demo{dir.path("data")};
    ASSERT_NE(demo.port, 0);
    std::ifstream{dir.path("data/token")} >> token;
    ASSERT_EQ(token.size(), 32u);
    EXPECT_EQ(demo.get("/api/units").size(), 4u);
    EXPECT_EQ(demo.get("/api/health")["status"], "ok");
    // Writes: 401 without the token, applied with it.
    auto denied = test::http_request("127.0.0.1", demo.port, "POST", "/api/mode", R"({"mode":"stop"})");
    EXPECT_EQ(denied.status, 401);
    const auto set = test::http_request_with_token("127.0.0.1", demo.port, "POST", "/api/acceleration", token,
                                                   R"({"acceleration": 7200})");
    EXPECT_NE(set.body.find("\"acceleration\":7200.0"), std::string::npos) << set.body;
    EXPECT_EQ(demo.get("/api/acceleration")["acceleration"], 7200.0);
    ASSERT_TRUE(demo.await([&] { return demo.get("/api/history/E001?points=10000")["samples"].size() >= 3; }));
    EXPECT_EQ(demo.process->stop(), 0);  // SIGTERM: records a last sample and exits cleanly
  }
  {
    Demo again{dir.path("data")};
    ASSERT_NE(again.port, 0);
    const json kept = again.get("/api/history/E001?points=10000");  // the last 24 h: all of it
    samples = kept["samples"].size();
    EXPECT_GE(samples, 4u);
    stopped_at = kept["samples"].back()["time"].get<std::string>();
    // It carries on after the last sample, not at the community's first day.
    EXPECT_GT(again.get("/api/health")["time"].get<std::string>(), stopped_at);
    std::string token_again;
    std::ifstream{dir.path("data/token")} >> token_again;
    EXPECT_EQ(token_again, token);
    EXPECT_EQ(again.process->stop(), 0);
  }
}

// A request with the bearer token: {status, body}.
std::pair<int, std::string> with_token(std::uint16_t port, const std::string& method, const std::string& target,
                                       const std::string& token, const std::string& body = {}) {
  const auto r = test::http_request_with_token("127.0.0.1", port, method, target, token, body);
  return {r.status, r.body};
}

TEST(DemoProcess, EveryEndpointOverRealHttp) {
  test::TempDir dir;
  Demo demo{dir.path("data")};
  ASSERT_NE(demo.port, 0);
  std::string token;
  std::ifstream{dir.path("data/token")} >> token;
  ASSERT_TRUE(demo.await([&] { return demo.get("/api/totals/history")["samples"].size() >= 2; }));

  // Reads, no token needed.
  EXPECT_EQ(demo.get("/api/units/E003")["id"], "E003");
  EXPECT_TRUE(demo.get("/api/deals?state=active").is_array());
  EXPECT_TRUE(demo.get("/api/deals?state=history&offset=0&limit=10").contains("total"));
  EXPECT_EQ(demo.get("/api/mode")["global"], "autonomous");
  EXPECT_TRUE(demo.get("/api/totals").contains("self_sufficiency"));
  EXPECT_GE(demo.get("/api/history/E001")["samples"].size(), 2u);
  const auto csv = test::http_get("127.0.0.1", demo.port, "/api/history/E001.csv");
  EXPECT_EQ(csv.status, 200);
  EXPECT_EQ(csv.body.rfind("time,unit,rsoc", 0), 0u);
  EXPECT_EQ(test::http_get("127.0.0.1", demo.port, "/api/deals.csv").body.rfind("disposed,dealId,json", 0), 0u);
  EXPECT_NE(test::http_get("127.0.0.1", demo.port, "/metrics").body.find("wattshare_bus_voltage_volts"), std::string::npos);
  EXPECT_EQ(demo.get("/unitIds").size(), 4u);
  EXPECT_EQ(demo.get("/getStatus")["active"], true);
  EXPECT_TRUE(demo.get("/deals").is_array());
  EXPECT_TRUE(demo.get("/get/log").is_object());
  const auto page = test::http_get("127.0.0.1", demo.port, "/");
  EXPECT_EQ(page.status, 200);  // the dashboard (web/dist)
  EXPECT_NE(page.body.find("<div id=\"app\">"), std::string::npos);

  // Writes: 401 without the token, done with it.
  for (const auto& [target, body] : std::vector<std::pair<std::string, std::string>>{
           {"/api/mode", R"({"mode":"heteronomous"})"},
           {"/api/units/E002/local-mode", R"({"mode":"stop"})"},
           {"/api/acceleration", R"({"acceleration":1800})"}}) {
    EXPECT_EQ(test::http_request("127.0.0.1", demo.port, "POST", target, body).status, 401) << target;
    EXPECT_EQ(with_token(demo.port, "POST", target, token, body).first, 200) << target;
  }
  EXPECT_EQ(demo.get("/api/mode")["global"], "heteronomous");
  EXPECT_EQ(demo.get("/api/mode")["local"]["E002"], "stop");
  EXPECT_EQ(with_token(demo.port, "POST", "/api/units/E001/dcdc", token, R"({"mode":"0x0014"})").first, 409);
  EXPECT_EQ(with_token(demo.port, "GET", "/manual", token).first, 200);
  EXPECT_EQ(demo.get("/getStatus")["active"], false);
  const auto manual = with_token(demo.port, "POST", "/api/units/E001/dcdc", token, R"({"mode":"0x0014","dvg":350,"dig":2})");
  EXPECT_EQ(manual.first, 200) << manual.second;
  EXPECT_EQ(with_token(demo.port, "GET", "/active", token).first, 200);
  EXPECT_EQ(with_token(demo.port, "GET", "/setOperationMode?unitId=E002&value=null", token).first, 200);
  EXPECT_TRUE(demo.get("/api/mode")["local"]["E002"].is_null());
  // Bad input: a clear 4xx, nothing changed.
  EXPECT_EQ(with_token(demo.port, "POST", "/api/mode", token, "{bad").first, 400);
  EXPECT_EQ(demo.get("/api/units/E999", 404)["error"], "unknown unit 'E999'");
  EXPECT_EQ(demo.get("/api/mode")["global"], "autonomous");
  EXPECT_EQ(demo.process->stop(), 0);
}

mode_t mode_of(const std::string& path) {
  struct stat st{};
  ::stat(path.c_str(), &st);
  return st.st_mode & 0777;
}

// Found: history.sqlite was 0644 and the token file was chmod'ed after it was written. Everything
// the demo makes is its user's alone, from the start.
TEST(DemoProcess, ItsDataIsReadableByItsUserOnly) {
  test::TempDir dir;
  {
    Demo demo{dir.path("data")};
    ASSERT_NE(demo.port, 0);
    ASSERT_TRUE(demo.await([&] { return demo.get("/api/totals/history")["samples"].size() >= 1; }));
    EXPECT_EQ(demo.process->stop(), 0);
  }
  EXPECT_EQ(mode_of(dir.path("data")), 0700u);
  EXPECT_EQ(mode_of(dir.path("data/token")), 0600u);
  EXPECT_EQ(mode_of(dir.path("data/history.sqlite")), 0600u);
  // A token file others can read is refused, naming it.
  const std::string loose = dir.write("loose-token", "0123456789abcdef0123\n");
  ::chmod(loose.c_str(), 0644);
  const auto r = test::run_command({WATTSHARE_BIN, "demo", "--data-dir", dir.path("data2"), "--port", "0", "--token-file", loose},
                                   milliseconds(20000), true);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find(loose + ": others may read this secret (mode 0644); chmod 600 it"), std::string::npos) << r.out;
}

TEST(DemoProcess, RefusesAnUnusableDataDirectory) {
  test::TempDir dir;
  dir.write("file", "x");
  auto r = test::run_command({WATTSHARE_BIN, "demo", "--data-dir", dir.path("file/sub"), "--port", "0"});
  EXPECT_EQ(r.exit_code, 1);
}

// ScenarioKeeping in `wattshare demo`: the units' files are read again every
// refreshingPeriodMsec; a broken edit keeps the last good file, and the unit's errors on the
// dashboard say which file and what (USER:LOCAL:WARN, as APIS raises it).
TEST(DemoProcess, ABrokenScenarioEditShowsOnTheDashboardAndTheLastGoodOneStays) {
  test::TempDir dir;
  std::filesystem::copy(std::string(WATTSHARE_SOURCE_DIR) + "/examples/apis-sample", dir.path("community"),
                        std::filesystem::copy_options::recursive);
  auto process = std::make_unique<test::ChildProcess>(std::vector<std::string>{
      WATTSHARE_BIN, "demo", "--config", dir.path("community"), "--port", "0", "--data-dir", dir.path("data"),
      "--acceleration", "60"});
  std::uint16_t port = 0;
  for (int i = 0; i < 3 && port == 0; ++i) {
    const auto line = process->read_line(milliseconds(30000));
    if (!line) break;
    if (const auto at = line->find("http://127.0.0.1:"); at != std::string::npos)
      port = static_cast<std::uint16_t>(std::stoi(line->substr(at + 17)));
  }
  ASSERT_NE(port, 0);
  dir.write("community/scenario.json", "{ \"refreshingPeriodMsec\" : ");
  // 5 s of community time at 60x is about 83 ms of real time; polled (bounded) until it shows.
  std::string errors;
  for (int i = 0; i < 5000 && errors.find("scenario not reloaded") == std::string::npos; ++i) {
    const auto r = test::http_get("127.0.0.1", port, "/api/units/E001");
    errors = json::parse(r.body, nullptr, false).value("errors", json::array()).dump();
  }
  EXPECT_NE(errors.find("(USER:LOCAL:WARN:E001) scenario not reloaded"), std::string::npos) << errors;
  EXPECT_NE(errors.find("scenario.json"), std::string::npos) << errors;
  // The last good scenario still rules: the units keep their autonomous mode and trade on.
  EXPECT_EQ(test::http_get("127.0.0.1", port, "/api/mode").status, 200);
  EXPECT_EQ(process->stop(), 0);
}

// apis-web's API on a port of its own, for Sony's apis-main_controller (SonyCSL/apis-web:
// BudoEmulator and EmulatorEmulator; the controller's startMain.py calls /unitIds, /deals,
// /getStatus and the mode buttons /active /quiet /stop /manual without a token, and its
// dataCollector.callToEmulator keys /get/log by oesunit.id). No token there, so the listener
// refuses whatever a browser sends.
TEST(DemoProcess, ApisWebPortServesApisMainControllerAndRefusesBrowsers) {
  test::TempDir dir;
  Demo demo{dir.path("data"), {"--apis-web-port", "0"}};
  ASSERT_NE(demo.port, 0);
  ASSERT_NE(demo.apis_web_port, 0);
  ASSERT_NE(demo.apis_web_port, demo.port);
  auto web = [&](const std::string& target, int status = 200) {
    const auto r = test::http_get("127.0.0.1", demo.apis_web_port, target);
    EXPECT_EQ(r.status, status) << target << ": " << r.body;
    return json::parse(r.body, nullptr, false);
  };
  // /get/log: apis-main's unit data (DataAcquisition.getData_), every unit by its id.
  json log = web("/get/log");
  ASSERT_TRUE(log.is_object()) << log.dump();
  ASSERT_EQ(log.size(), 4u) << log.dump();
  int grid_masters = 0;
  for (const auto& [id, unit] : log.items()) {
    EXPECT_EQ(unit["oesunit"]["id"], id);
    EXPECT_TRUE(unit["oesunit"]["display"].is_string()) << id;
    EXPECT_TRUE(unit["oesunit"]["ip"].is_string()) << id;
    EXPECT_TRUE(unit["battery"]["rsoc"].is_number()) << id;
    EXPECT_EQ(unit["apis"]["operation_mode"]["global"], "autonomous") << id;
    EXPECT_EQ(unit["apis"]["operation_mode"]["effective"], "autonomous") << id;
    EXPECT_TRUE(unit["apis"]["operation_mode"]["local"].is_null()) << id;
    EXPECT_GT(unit["apis"]["remaining_capacity_wh"].get<int>(), 0) << id;
    EXPECT_GE(unit["apis"]["deal_interlock_capacity"].get<int>(), 1) << id;
    grid_masters += unit["apis"].value("is_grid_master", false) ? 1 : 0;
    // What the controller's visual.js draws.
    EXPECT_TRUE(unit["dcdc"]["status"]["status"].is_string()) << id;
    EXPECT_TRUE(unit["dcdc"]["meter"]["wg"].is_number()) << id;
    EXPECT_TRUE(unit["dcdc"]["powermeter"]["p2"].is_number()) << id;
    EXPECT_TRUE(unit["emu"]["pvc_charge_power"].is_number()) << id;
    EXPECT_TRUE(unit["emu"]["ups_output_power"].is_number()) << id;
    EXPECT_EQ(unit["time"].get<std::string>().size(), 19u) << id;  // yyyy/MM/dd-HH:mm:ss
  }
  EXPECT_LE(grid_masters, 1);
  EXPECT_EQ(web("/unitIds"), (json{"E001", "E002", "E003", "E004"}));
  EXPECT_TRUE(web("/deals").is_array());
  EXPECT_EQ(web("/getStatus"), (json{{"active", true}}));
  // The mode buttons, no token (BudoEmulator.setGlobalOperationModeAndReturn_ answers /getStatus).
  EXPECT_EQ(web("/stop"), (json{{"active", false}}));
  EXPECT_EQ(demo.get("/api/mode")["global"], "stop");
  EXPECT_EQ(web("/quiet"), (json{{"active", true}}));
  EXPECT_EQ(demo.get("/api/mode")["global"], "heteronomous");
  EXPECT_EQ(web("/setOperationMode?unitId=E002&value=stop"), (json{{"succeeded", true}}));
  EXPECT_EQ(demo.get("/api/mode")["local"]["E002"], "stop");
  EXPECT_EQ(web("/setOperationMode?unitId=E002&value=bogus", 400)["succeeded"], false);
  EXPECT_EQ(web("/active"), (json{{"active", true}}));
  EXPECT_EQ(web("/nope", 404), (json{{"error", "not found : /nope"}}));
  // Anything a browser sends is refused, so no web page can switch a mode.
  for (const test::Headers& browser : std::vector<test::Headers>{
           {{"Origin", "http://127.0.0.1:" + std::to_string(demo.apis_web_port)}},
           {{"Sec-Fetch-Site", "cross-site"}, {"Sec-Fetch-Mode", "no-cors"}},
           {{"Host", "attacker.example:" + std::to_string(demo.apis_web_port)}}}) {
    const auto r = test::http_request_with_headers("127.0.0.1", demo.apis_web_port, "GET", "/stop", browser);
    EXPECT_EQ(r.status, 403) << browser.front().first << ": " << r.body;
  }
  EXPECT_EQ(demo.get("/api/mode")["global"], "autonomous");
  // The dashboard's port still asks the token for the same buttons.
  EXPECT_EQ(test::http_get("127.0.0.1", demo.port, "/stop").status, 401);
  EXPECT_EQ(demo.process->stop(), 0);
}

}  // namespace
}  // namespace wattshare
