// The subcommands of `wattshare`, each a function from parsed options to an exit code.
// main.cpp holds the CLI11 definitions and --help texts; each command lives in its own file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wattshare::app {

struct SimOptions {
  std::string config = "examples/apis-sample";
  double days = 1;
  std::optional<std::uint64_t> seed;
  std::optional<std::string> start;  // YYYY-MM-DD
  std::optional<std::size_t> units;  // grow or trim the community to this many houses
  bool json = false;
  bool no_sharing = false;
  std::string mode = "autonomous";
  std::string deal_log;  // empty: none
  bool verbose = false;
};
int run_sim(const SimOptions& o);

struct EmulatorOptions {
  std::string config = "examples/apis-sample";
  std::string host = "127.0.0.1";
  int port = 4390;
  int driver_port_base = 0;  // 0: no per-unit ports
  double acceleration = 1;
  std::optional<std::string> start;
};
int run_emulator(const EmulatorOptions& o);

int run_config_check(const std::vector<std::string>& paths);

}  // namespace wattshare::app
