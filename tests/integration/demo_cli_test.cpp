// `wattshare demo` as a real process: the API over real HTTP on loopback, the token, and a
// restart that keeps the history and carries on from it.
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

struct Demo {
  std::unique_ptr<test::ChildProcess> process;
  std::uint16_t port = 0;

  explicit Demo(const std::string& data_dir) {
    process = std::make_unique<test::ChildProcess>(std::vector<std::string>{
        WATTSHARE_BIN, "demo", "--config", std::string(WATTSHARE_SOURCE_DIR) + "/examples/apis-sample",
        "--port", "0", "--data-dir", data_dir, "--acceleration", "3600", "--sample", "30"});
    for (int i = 0; i < 3 && port == 0; ++i) {
      const auto line = process->read_line(milliseconds(30000));
      if (!line) break;
      const std::string marker = "http://127.0.0.1:";
      if (const auto at = line->find(marker); at != std::string::npos) {
        port = static_cast<std::uint16_t>(std::stoi(line->substr(at + marker.size())));
      }
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
    const std::string line = "POST /api/acceleration HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
                             "\r\nContent-Type: application/json\r\nContent-Length: 22\r\nConnection: close\r\n\r\n"
                             "{\"acceleration\": 7200}";
    EXPECT_NE(test::raw_exchange("127.0.0.1", demo.port, line).find("\"acceleration\":7200.0"), std::string::npos);
    EXPECT_EQ(demo.get("/api/acceleration")["acceleration"], 7200.0);
    ASSERT_TRUE(demo.await([&] { return demo.get("/api/history/E001?points=100000")["samples"].size() >= 3; }));
    EXPECT_EQ(demo.process->stop(), 0);  // SIGTERM: records a last sample and exits cleanly
  }
  {
    Demo again{dir.path("data")};
    ASSERT_NE(again.port, 0);
    const json kept = again.get("/api/history/E001?from=0&to=99999999999999&points=100000");
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

TEST(DemoProcess, RefusesAnUnusableDataDirectory) {
  test::TempDir dir;
  dir.write("file", "x");
  auto r = test::run_command({WATTSHARE_BIN, "demo", "--data-dir", dir.path("file/sub"), "--port", "0"});
  EXPECT_EQ(r.exit_code, 1);
}

}  // namespace
}  // namespace wattshare
