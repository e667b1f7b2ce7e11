// Runs `wattshare sim --json ...` (the binary under test) and parses its one JSON object.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/process.hpp"

namespace wattshare::test {

inline nlohmann::json run_sim_json(const std::vector<std::string>& extra,
                                   std::chrono::milliseconds timeout = std::chrono::minutes(2)) {
  std::vector<std::string> argv{WATTSHARE_BIN, "sim", "--json"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  const auto r = run_command(argv, timeout);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  return nlohmann::json::parse(r.out, nullptr, false);
}

}  // namespace wattshare::test
