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
  std::vector<std::string> local_modes;  // "ID=heteronomous|stop|null", one per unit
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

struct P2pOptions {
  double pref_w = 19;
  double load_ohm = 115;
  double vin_v = 50;
  double vac_peak_v = 15;  // the inverter's open-loop AC amplitude
  double duration_s = 3;
  bool dead_time = false;
  double delay_us = 5;
  std::optional<double> trigger_at_s;  // scope trigger; default: the run's first frame
  std::string record;  // scope dump file
  std::string plot;    // SVG
  std::string spice;   // ngspice netlist of this run's duty sequences
  bool json = false;
};
int run_p2p(const P2pOptions& o);
int run_p2p_console(const P2pOptions& o, double acceleration);
int run_scope_to_csv(const std::string& path, const std::string& output);

int run_config_check(const std::vector<std::string>& paths);

}  // namespace wattshare::app
