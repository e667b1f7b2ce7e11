// The subcommands of `wattshare`, each a function from parsed options to an exit code.
// main.cpp holds the CLI11 definitions and --help texts; each command lives in its own file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net/http_client.hpp"

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
  // off | battery-first | loads-first | value (the default when the community has flexible loads)
  std::optional<std::string> flexible_loads;
};
int run_sim(const SimOptions& o);

struct EmulatorOptions {
  std::string config = "examples/apis-sample";
  std::string host = "127.0.0.1";
  int port = 4390;
  int driver_port_base = 0;  // 0: no per-unit ports
  double acceleration = 1;
  std::optional<std::string> start;
  // Seconds of community time without a request from a unit's node before its converter goes
  // to Waiting (0: off; unset: DeviceWatchdog::default_bound, from the units' policies).
  std::optional<double> watchdog_s;
  std::string token_file;  // when given, every request needs its bearer token
};
int run_emulator(const EmulatorOptions& o);

struct DemoOptions {
  bool processes = false;  // one `wattshare node` process per unit, through etcd on loopback
  int etcd_port = 23790;   // with --processes; its peer port is the next one
  std::string config = "examples/apis-sample/demo-community.json";
  std::string host = "127.0.0.1";
  int port = 4382;
  double acceleration = 60;
  std::string data_dir = "wattshare-data";
  std::string token_file;  // empty: the data directory's, made on first start
  std::string mode = "autonomous";
  double sample_s = 60;  // history sample period, community time
  double history_max_mb = 0;  // cap of history.sqlite (0: none)
  std::string web_dir = WATTSHARE_WEB_DIR;  // the built dashboard
  std::optional<std::string> start;
  std::optional<std::uint64_t> seed;
  // apis-web's API for Sony's apis-main_controller, on 127.0.0.1 only (0 picks a free port).
  std::optional<int> apis_web_port;
  std::optional<std::string> flexible_loads;  // off | battery-first | loads-first | value (their default)
};
int run_demo(const DemoOptions& o);

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

// The native driver for real APIS hardware and its device emulators (devices/eza2500, battery).
struct DriverCliOptions {
  std::string dcdc_serial;
  int dcdc_baud = 19200;
  std::string battery_serial;  // empty: no battery (battery paths answer "comm error")
  int battery_baud = 9600;
  int battery_slave = 1;
  std::string host = "127.0.0.1";
  int port = 4380;
  int converter_address = 0x00, host_address = 0x10;
  int command_gap_ms = 62, reply_timeout_ms = 100, retry_wait_ms = 100;
  // The node-silence fail-safe: no request for this long puts the converter to Waiting (0: off;
  // unset: two grid-master main loops of --policy, else of APIS's default 5 s loop).
  std::optional<double> watchdog_s;
  std::string policy;  // the unit's policy.json, for the watchdog's default
  std::string token_file;  // when given, every request needs its bearer token
  double battery_check_s = 10;  // 0: no battery watchdog
  bool rs485_rts = false, local_echo = false;
  double cib = 52, ubv = 40, ugv = 300, obv = 59, ogv = 400;
};
int run_driver(const DriverCliOptions& o);

struct EzaSimOptions {
  std::string pty_link;
  std::string battery_pty_link;  // also emulate the battery of the same house
  int address = 0x00;
  double rsoc_pct = 50, capacity_wh = 4800, grid_v = 345;
  std::string fault;
  int fault_count = -1;
};
int run_eza_sim(const EzaSimOptions& o);

struct BatterySimOptions {
  std::string pty_link;
  int slave = 1;
  double rsoc_pct = 50;
  bool deny = false;
  std::string fault;
  int fault_count = -1;
};
int run_battery_sim(const BatterySimOptions& o);

// Tesla Wall Connector Gen2 on RS485: the emulated charger, and the load-sharing master.
struct TwcSimOptions {
  std::string pty_link;
  bool pty = false;  // no link: the pty's own name is printed
  int id = 0xABCD;
  int protocol = 2;
  double rated_amps = 32, car_amps = 16;
  std::string fault;
  // The house's SolarEdge meter beside the charger (`--meter-port`): it sees the car's draw, at
  // `car_volts` on `car_phases`, on top of the sunspec-sim models.
  std::optional<int> meter_port;
  double kwp = 12, hour = 12;
  double car_volts = 230;
  int car_phases = 3;
};
int run_twc_sim(const TwcSimOptions& o);

struct TwcMasterCliOptions {
  std::string serial;
  double amps = 0;
  double seconds = 10;
  bool rs485_rts = false;
  bool json = false;
};
int run_twc_master(const TwcMasterCliOptions& o);

// SunSpec over Modbus TCP: read a site once; serve a simulated SolarEdge site.
struct SunSpecReadOptions {
  std::string host = "127.0.0.1";
  int port = 1502;
  int unit_id = 1;
  int timeout_ms = 1000;
  bool invert = false;
  int meter = 1;
  bool json = false;
};
int run_sunspec_read(const SunSpecReadOptions& o);

struct SunSpecSimOptions {
  std::string host = "127.0.0.1";
  int port = 1502;
  double kwp = 5, load_kwh = 4500;
  std::string start = "2021-06-01";
  double hour = 12;  // local time of day at start
  double acceleration = 1;
  std::uint64_t seed = 1;
};
int run_sunspec_sim(const SunSpecSimOptions& o);

// PV-surplus routing of one house (surplus/).
struct SurplusOptions {
  bool simulate = false;
  std::optional<std::string> config;   // the daemon's file (default: an emulated house)
  std::optional<int> http_port;        // overrides the file's http.port (0: any free port)
  std::string token_file = "wattshare-surplus-token";  // the write token (made 0600 on first start)
  std::optional<std::string> sessions_file;  // SQLite (default: wattshare-sessions.sqlite beside the token)
  std::string web_dir = WATTSHARE_WEB_DIR;
  double days = 365;
  // Default 9 kWp, enough for the seed's 3-phase charger (6 A × 690 W) to start on sunny days;
  // with --config, the file's emulated house unless given.
  std::optional<double> kwp;
  std::optional<double> ev_daily_kwh;  // default 8
  std::optional<double> battery_kwh;   // a home battery (default none, or the file's)
  std::optional<std::string> start;
  bool json = false;
};
int run_surplus(const SurplusOptions& o);
int run_surplus_daemon(const SurplusOptions& o);

// How a command reaches etcd: HOST:PORT, HTTPS files (all empty: plain HTTP), an etcd user.
struct EtcdAccess {
  std::string endpoint = "127.0.0.1:2379";
  TlsFiles tls;
  std::string user;           // empty: etcd's auth is off
  std::string password_file;  // the user's password (first line), mode 0600
};

struct NodeOptions {
  std::string config;                  // the unit's APIS config.json
  EtcdAccess etcd;
  std::string cluster;                 // default: the config's clusterId
  std::optional<std::string> driver_host;  // overrides the config's connection host
  std::optional<int> driver_port;      // overrides the config's connection port
  std::string driver_token_file;       // the driver's bearer token, when it wants one
  std::optional<std::string> emulate;  // a community: this unit's house emulated in-process instead
  std::optional<std::string> deal_log;
  double utc_offset_h = 9;
  double acceleration = 1;  // the node's clock against the wall clock (match the emulator's)
  // "VIRTUAL_MS@WALL_MS": the node's clock read VIRTUAL_MS (epoch ms) at wall time WALL_MS, so
  // that nodes started one after the other share the clock of an accelerated emulator.
  std::optional<std::string> clock_anchor;
  std::uint64_t seed = 1;
};
int run_node(const NodeOptions& o);

struct ClusterOptions {
  std::string action = "status";  // status, mode, log or deal
  std::string mode;
  std::string discharge_unit, charge_unit;  // deal
  long long amount_wh = 50;
  double current_a = 1;
  int count = 100;  // probe
  std::string policy;       // init-auth: the cluster's policy.json
  std::string secrets_dir;  // init-auth: where the users' passwords go
  EtcdAccess etcd;
  std::string cluster = "default";
  bool json = false;
};
int run_cluster(const ClusterOptions& o);

int run_config_check(const std::vector<std::string>& paths);

}  // namespace wattshare::app
