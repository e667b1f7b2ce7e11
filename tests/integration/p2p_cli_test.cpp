// `wattshare p2p` as a user runs it: the JSON figures, the scope dump and its CSV, the plot.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace wattshare {
namespace {

using nlohmann::json;

std::string read(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

TEST(P2pCli, PrintsEveryFigureOfTheSteadyState) {
  const auto r = test::run_command({WATTSHARE_BIN, "p2p", "--duration", "2.5", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const json j = json::parse(r.out);
  for (const char* k : {"vdc_mean_v", "vdc_ripple_pp_v", "p_load_w", "idc_a", "vac_peak_v", "iac_peak_a",
                        "g_s", "phase_deg", "corr_v_i", "duty_min", "duty_max", "thd_percent", "state"}) {
    EXPECT_TRUE(j.contains(k)) << k;
  }
  EXPECT_NEAR(j["vdc_mean_v"].get<double>(), 46.74, 0.2);
  EXPECT_NEAR(j["p_load_w"].get<double>(), 19.0, 0.3);
  EXPECT_EQ(j["state"], "POWER");
}

TEST(P2pCli, OtherOperatingPointsRegulateToTheirOwnVoltage) {
  // 10 W into 115 Ω: √(10·115) = 33.9 V (the V2 operating point with the measured feed-forward).
  const auto r = test::run_command({WATTSHARE_BIN, "p2p", "--pref", "10", "--duration", "2.5", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const json j = json::parse(r.out);
  EXPECT_NEAR(j["vdc_mean_v"].get<double>(), 33.91, 0.2);
  EXPECT_NEAR(j["p_load_w"].get<double>(), 10.0, 0.3);
}

TEST(P2pCli, RecordsTheScopeConvertsItToCsvAndPlots) {
  test::TempDir dir;
  const std::string dump = dir.path() + "/record.txt", svg = dir.path() + "/pair.svg";
  const auto r = test::run_command({WATTSHARE_BIN, "p2p", "--duration", "0.5", "--record", dump,
                                    "--plot", svg, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const std::string text = read(dump);
  EXPECT_EQ(text.rfind("begin record\n#I1_low,I2_low,V1_low,V2_low,V_high,I_high,Iac_ref,Vdc_ref,duty_cycle,\n", 0), 0u);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1024 * 9 + 3);

  const auto csv = test::run_command({WATTSHARE_BIN, "p2p", "scope-to-csv", dump});
  ASSERT_EQ(csv.exit_code, 0);
  std::istringstream lines(csv.out);
  std::string header, first, line;
  std::getline(lines, header);
  std::getline(lines, first);
  EXPECT_EQ(header, "I1_low,I2_low,V1_low,V2_low,V_high,I_high,Iac_ref,Vdc_ref,duty_cycle");
  int rows = 1;
  double last_vdc_ref = 0;
  while (std::getline(lines, line)) {
    ++rows;
    std::istringstream cells(line);
    std::string cell;
    for (int c = 0; c < 8; ++c) std::getline(cells, cell, ',');
    last_vdc_ref = std::stod(cell);
  }
  EXPECT_EQ(rows, 1024);
  // Triggered by the run's first frame: the record covers the start-up, then the set-point.
  EXPECT_NEAR(last_vdc_ref, 46.744, 1e-3);

  const std::string plot = read(svg);
  EXPECT_EQ(plot.rfind("<svg", 0), 0u);
  EXPECT_NE(plot.find("Vdc [V]"), std::string::npos);
  EXPECT_NE(plot.find("Iac (rectifier) [A]"), std::string::npos);
  EXPECT_EQ(std::count(plot.begin(), plot.end(), '\n') > 20, true);
}

TEST(P2pCli, ConsoleRunsTheOriginalKeysFromAScript) {
  // p: power for 25 periods (2.5 s), i: idle, r: dump the scope, q: quit.
  const std::string script = "p" + std::string(25, '.') + "irq";
  const auto r = test::run_command(
      {"/bin/bash", "-c", "printf '" + script + "' | " + WATTSHARE_BIN + " p2p console --acceleration 100000"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  std::istringstream lines(r.out);
  std::string line;
  std::vector<std::string> states;
  int status_lines = 0;
  double v_high = 0;
  bool dumped = false;
  while (std::getline(lines, line)) {
    if (line == "POWER" || line == "IDLE") states.push_back(line);
    if (line.rfind("1:46.74:", 0) == 0) {
      ++status_lines;
      v_high = std::stod(line.substr(8));
    }
    if (line == "end record") dumped = true;
  }
  EXPECT_EQ(states, (std::vector<std::string>{"POWER", "IDLE"}));
  EXPECT_EQ(status_lines, 26);
  EXPECT_NEAR(v_high, 46.7, 3);  // sampled once per 100 ms, on the bus ripple
  EXPECT_TRUE(dumped);
}

TEST(P2pCli, BadInputGetsAClearError) {
  auto r = test::run_command({WATTSHARE_BIN, "p2p", "--delay-us", "150"});
  EXPECT_NE(r.exit_code, 0);
  test::TempDir dir;
  const std::string bad = dir.write("bad.txt", "begin record\n#a,\nzz\nend record\n");
  r = test::run_command({WATTSHARE_BIN, "p2p", "scope-to-csv", bad});
  EXPECT_EQ(r.exit_code, 1);
  r = test::run_command({WATTSHARE_BIN, "p2p", "scope-to-csv", dir.path() + "/missing.txt"});
  EXPECT_EQ(r.exit_code, 1);
}

}  // namespace
}  // namespace wattshare
