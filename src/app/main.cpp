// `wattshare`: one command, one subcommand per job.
#include <CLI/CLI.hpp>
#include <spdlog/cfg/env.h>
#include <spdlog/spdlog.h>

#include "app/commands.hpp"

namespace {

// --etcd, its HTTPS files and its user, for every command that talks to etcd.
void add_etcd_options(CLI::App* cmd, wattshare::app::EtcdAccess& etcd) {
  cmd->add_option("--etcd", etcd.endpoint, "etcd's client URL as HOST:PORT")->capture_default_str();
  cmd->add_option("--etcd-ca", etcd.tls.ca_file, "HTTPS to etcd: the CA that signed its certificate");
  cmd->add_option("--etcd-cert", etcd.tls.cert_file, "HTTPS to etcd: a client certificate");
  cmd->add_option("--etcd-key", etcd.tls.key_file, "HTTPS to etcd: its private key");
  cmd->add_option("--etcd-user", etcd.user, "etcd's auth: the user to log in as (`cluster init-auth` makes them)");
  cmd->add_option("--etcd-password-file", etcd.password_file,
                  "etcd's auth: the file holding that user's password (first line; mode 0600)");
}

constexpr const char* kFlexibleLoadsHelp =
    "What the houses' water heaters and cars do: off (on the mains, the baseline), battery-first (APIS, then "
    "each house's surplus router gives them what its battery cannot take), loads-first (they take the house's "
    "surplus before its battery) or value (each kWh where it saves the most import); default value when the "
    "community has them";
const CLI::IsMember kFlexibleLoadsPolicies{{"off", "battery-first", "loads-first", "value"}};

}  // namespace

int main(int argc, char** argv) {
  using namespace wattshare::app;
  spdlog::cfg::load_env_levels();  // SPDLOG_LEVEL=debug (or per logger) for more detail
  CLI::App cli{
      "wattshare — autonomous energy sharing between houses (APIS-compatible), PV-surplus "
      "routing and converter-level control.\nRun `wattshare <command> --help` for each command."};
  cli.require_subcommand(1);
  cli.set_version_flag("--version", "wattshare 0.1.0");

  SimOptions sim;
  auto* sim_cmd = cli.add_subcommand(
      "sim",
      "Run a community in virtual time as fast as possible and report its energy. Each house: PV "
      "feeds the load, then the battery; surplus is exported up to the house's limit or "
      "curtailed; deficits come from the battery, then the utility. The APIS sharing engine "
      "trades battery energy between houses over the DC bus (--no-sharing for the isolated "
      "baseline); invariants are checked all along.");
  sim_cmd->add_option("--config", sim.config, "Community folder or community.json")
      ->capture_default_str();
  sim_cmd->add_option("--days", sim.days, "Simulated days")->capture_default_str()
      ->check(CLI::Range(0.0, 36500.0));
  sim_cmd->add_option("--seed", sim.seed, "Override the community's seed (weather, loads)");
  sim_cmd->add_option("--start", sim.start, "First day, YYYY-MM-DD (default: the community's)");
  sim_cmd->add_option("--units", sim.units,
                      "Grow (or trim) the community to N houses: copies of its houses and bus "
                      "tree with varied loads (scale studies)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  sim_cmd->add_flag("--json", sim.json, "Print one JSON object instead of a table");
  sim_cmd->add_flag("--no-sharing", sim.no_sharing, "Every house on its own (the baseline)");
  sim_cmd->add_option("--flexible-loads", sim.flexible_loads, kFlexibleLoadsHelp)->check(kFlexibleLoadsPolicies);
  sim_cmd->add_option("--mode", sim.mode, "Global operation mode: autonomous (Run), heteronomous "
                                          "(Soft Stop), stop (Force Stop) or manual")
      ->capture_default_str();
  sim_cmd->add_option("--deal-log", sim.deal_log,
                      "Write every disposed deal as one JSON line (APIS deal fields)");
  sim_cmd->add_option("--local-mode", sim.local_modes,
                      "A unit's local mode, ID=heteronomous|stop|null (repeatable): it overrides the "
                      "global mode while that is autonomous or heteronomous");
  sim_cmd->add_flag("-v,--verbose", sim.verbose,
                    "Log every engine event and error (virtual time) on stderr");

  EmulatorOptions emu;
  auto* emu_cmd = cli.add_subcommand(
      "emulator",
      "Run a community in real time (times --acceleration) and serve APIS's device-driver HTTP "
      "protocol on 127.0.0.1 for every unit: apis-emulator paths (/get/unit/<id>, "
      "/set/dcdc/<id>?mode=&dvg=&dig=&drg=, ...) and dcdc_batt_comm paths under a unit prefix "
      "(/<id>/dcdc/get, /<id>/all/get, ...), or unprefixed on one port per unit with "
      "--driver-port-base. Stops on Ctrl-C.");
  emu_cmd->add_option("--config", emu.config, "Community folder or community.json")
      ->capture_default_str();
  emu_cmd->add_option("--host", emu.host, "Address to bind")->capture_default_str();
  emu_cmd->add_option("--port", emu.port, "Port (0 picks a free one and prints it)")
      ->capture_default_str()->check(CLI::Range(0, 65535));
  emu_cmd->add_option("--driver-port-base", emu.driver_port_base,
                      "Also serve unit i's dcdc_batt_comm API on port BASE+i (0: off)")
      ->check(CLI::Range(0, 65535));
  emu_cmd->add_option("--acceleration", emu.acceleration,
                      "Virtual seconds per real second (changeable at /set/acc/<n>)")
      ->capture_default_str()->check(CLI::Range(1e-3, 1e6));
  emu_cmd->add_option("--start", emu.start, "Virtual start day, YYYY-MM-DD (default: the community's)");
  emu_cmd->add_option("--token-file", emu.token_file,
                      "Every request must carry this file's bearer token (mode 0600; `wattshare node "
                      "--driver-token-file` sends it)");
  emu_cmd->add_option("--watchdog", emu.watchdog_s,
                      "Fail-safe: a unit's converter goes to Waiting when its node sent no request for this many "
                      "seconds of community time (0: off; default: two gridMaster.mainLoopPeriodMsec of its policy; "
                      "at least 1 s of real time)")
      ->check(CLI::Range(0.0, 86400.0));

  std::vector<std::string> check_paths;
  auto* config_cmd = cli.add_subcommand("config", "Work with configuration files.");
  config_cmd->require_subcommand(1);
  auto* check_cmd = config_cmd->add_subcommand(
      "check",
      "Load APIS files (config.json with its hwConfig/policy/scenario, or any single one) or a "
      "whole community folder; print `ok` per file or its errors; exit 1 on any error.");
  check_cmd->add_option("paths", check_paths, "Files or folders")->required();

  P2pOptions p2p;
  auto* p2p_cmd = cli.add_subcommand(
      "p2p",
      "Converter level: an open-loop inverter and a synchronous rectifier exchange power over an "
      "AC link (OwnTech TWIST P2P, averaged model at 0.5 µs, controllers every 100 µs). The "
      "rectifier holds its bus at sqrt(P_ref·R) with a PI on conductance and a PR current loop "
      "in phase opposition. Prints the steady state over the last 0.2 s.");
  p2p_cmd->add_option("--pref", p2p.pref_w, "Power reference sent to the rectifier, W")
      ->capture_default_str()->check(CLI::Range(0.0, 300.0));
  p2p_cmd->add_option("--load", p2p.load_ohm, "Rectifier load (and assumed R), Ω")
      ->capture_default_str()->check(CLI::Range(1.0, 1e6));
  p2p_cmd->add_option("--vin", p2p.vin_v, "Inverter DC input, V")->capture_default_str()
      ->check(CLI::Range(20.0, 100.0));
  p2p_cmd->add_option("--vac-peak", p2p.vac_peak_v, "Inverter AC amplitude, V")
      ->capture_default_str()->check(CLI::Range(1.0, 80.0));
  // Every tick is kept for the figures and the plot (~120 B each): a minute is 70 MB.
  p2p_cmd->add_option("--duration", p2p.duration_s, "Simulated seconds")->capture_default_str()
      ->check(CLI::Range(0.3, 60.0));
  p2p_cmd->add_flag("--dead-time", p2p.dead_time, "Model the 100 ns dead time at 200 kHz");
  p2p_cmd->add_option("--delay-us", p2p.delay_us,
                      "Computational delay between sampling and duty update, µs (0–100)")
      ->capture_default_str()->check(CLI::Range(0.0, 100.0));
  p2p_cmd->add_option("--trigger-at", p2p.trigger_at_s,
                      "Scope trigger time, s (default: the run's first frame, as the original)");
  p2p_cmd->add_option("--record", p2p.record, "Write the scope dump (1024 × 9, every 4th tick)");
  p2p_cmd->add_option("--plot", p2p.plot, "Write Vdc/Idc and Vac/Iac of the last 60 ms as SVG");
  p2p_cmd->add_option("--spice", p2p.spice,
                      "Write an ngspice netlist of the same circuit driven by this run's duties");
  p2p_cmd->add_flag("--json", p2p.json, "Print one JSON object instead of a table");
  std::string scope_file, scope_csv;
  auto* scope_cmd = p2p_cmd->add_subcommand(
      "scope-to-csv", "Convert a scope dump (begin record / #names / %08x lines / end record) to CSV.");
  scope_cmd->add_option("file", scope_file, "The dump")->required();
  scope_cmd->add_option("-o,--output", scope_csv, "CSV file (default: standard output)");

  double console_acceleration = 1;
  auto* console_cmd = p2p_cmd->add_subcommand(
      "console",
      "Run the pair in real time (times --acceleration) with the original's serial keys: p power, "
      "i idle, t trigger, r dump the scope, h menu, q quit. One key per 100 ms status period; "
      "piped input is a script ('.' waits a period). The pair options go before `console`.");
  console_cmd->add_option("--acceleration", console_acceleration, "Simulated seconds per second")
      ->capture_default_str()->check(CLI::Range(1e-3, 1e6));

  DemoOptions demo;
  auto* demo_cmd = cli.add_subcommand(
      "demo",
      "Run the emulated community with the sharing engine in real time × --acceleration, keep its "
      "history in SQLite under --data-dir (a restart carries on from it) and serve the operator API "
      "on http://127.0.0.1:4382 (writes need the printed bearer token). Ctrl-C stops it.");
  demo_cmd->add_option("--config", demo.config, "Community folder or community.json")->capture_default_str();
  demo_cmd->add_option("--host", demo.host, "Address to bind")->capture_default_str();
  demo_cmd->add_option("--port", demo.port, "Port (0 picks a free one and prints it)")
      ->capture_default_str()->check(CLI::Range(0, 65535));
  demo_cmd->add_option("--acceleration", demo.acceleration, "Community seconds per real second")
      ->capture_default_str()->check(CLI::Range(1e-3, 1e6));
  demo_cmd->add_option("--data-dir", demo.data_dir, "History and token folder")->capture_default_str();
  demo_cmd->add_option("--token-file", demo.token_file,
                       "File holding the bearer token for writes, mode 0600 (default: the data folder's token file, made "
                       "on first start); never on the command line, where every local user can read it");
  demo_cmd->add_option("--mode", demo.mode, "Global mode at start: autonomous, heteronomous, stop, manual")
      ->capture_default_str();
  demo_cmd->add_option("--sample", demo.sample_s, "History sample period, community seconds")
      ->capture_default_str()->check(CLI::Range(1.0, 86400.0));
  demo_cmd->add_option("--history-max-mb", demo.history_max_mb,
                       "Cap history.sqlite at this size, as a small SD card would (0: no cap); beyond it writes are "
                       "refused, /api/health says degraded and /metrics counts them")
      ->capture_default_str()->check(CLI::Range(0.0, 1e6));
  demo_cmd->add_option("--web-dir", demo.web_dir, "The built dashboard (web/dist)")->capture_default_str();
  demo_cmd->add_option("--start", demo.start, "First day, YYYY-MM-DD (default: the community's)");
  demo_cmd->add_option("--seed", demo.seed, "Override the community's seed");
  demo_cmd->add_option("--flexible-loads", demo.flexible_loads, kFlexibleLoadsHelp)->check(kFlexibleLoadsPolicies);
  demo_cmd->add_option("--apis-web-port", demo.apis_web_port,
                       "Also serve apis-web's API (/get/log, /deals, /active ...) for Sony's apis-main_controller "
                       "on 127.0.0.1:PORT: no token, and every request a browser sends is refused")
      ->check(CLI::Range(0, 65535));
  demo_cmd->add_flag("--processes", demo.processes,
                     "One `wattshare node` process per unit coordinated through etcd (started on loopback; "
                     "Debian etcd-server), the houses' physics served to them over APIS's driver protocol; "
                     "the dashboard reads the cluster from etcd");
  demo_cmd->add_option("--etcd-port", demo.etcd_port, "With --processes: etcd's client port (its peer port is the next)")
      ->capture_default_str()->check(CLI::Range(1, 65534));

  DriverCliOptions drv;
  auto* driver_cmd = cli.add_subcommand(
      "driver",
      "Drive a real EZA2500 DC/DC converter (RS485) and the battery (Modbus RTU) and serve APIS's "
      "device-driver HTTP API, as a drop-in replacement for apis-dcdc_batt_comm (/dcdc/get, "
      "/dcdc/get/status, /dcdc/set, /battery/get, /all/get, /version/get and the /remote/... "
      "aliases). Failures answer HTTP 400 {\"err\": ...} and command the converter to Waiting.");
  driver_cmd->add_option("--dcdc-serial", drv.dcdc_serial, "Converter's serial device")->required();
  driver_cmd->add_option("--dcdc-baud", drv.dcdc_baud, "Converter baud rate")->capture_default_str();
  driver_cmd->add_option("--battery-serial", drv.battery_serial, "Battery's serial device (Modbus RTU)");
  driver_cmd->add_option("--battery-baud", drv.battery_baud, "Battery baud rate")->capture_default_str();
  driver_cmd->add_option("--battery-slave", drv.battery_slave, "Battery's Modbus slave id")
      ->capture_default_str()->check(CLI::Range(1, 247));
  driver_cmd->add_option("--host", drv.host, "Address to bind")->capture_default_str();
  driver_cmd->add_option("--port", drv.port, "HTTP port (0 picks a free one and prints it)")
      ->capture_default_str()->check(CLI::Range(0, 65535));
  driver_cmd->add_option("--converter-address", drv.converter_address, "AD1 byte")
      ->capture_default_str()->check(CLI::Range(0, 255));
  driver_cmd->add_option("--host-address", drv.host_address, "AD2 byte")
      ->capture_default_str()->check(CLI::Range(0, 255));
  driver_cmd->add_option("--command-gap-ms", drv.command_gap_ms,
                         "Pause after each acknowledged command (the original's 62 ms)")
      ->capture_default_str()->check(CLI::Range(0, 1000));
  driver_cmd->add_option("--reply-timeout-ms", drv.reply_timeout_ms, "Reply timeout per read")
      ->capture_default_str()->check(CLI::Range(1, 10000));
  driver_cmd->add_option("--retry-wait-ms", drv.retry_wait_ms, "Wait before a resend")
      ->capture_default_str()->check(CLI::Range(0, 10000));
  driver_cmd->add_option("--watchdog", drv.watchdog_s,
                         "Fail-safe: the converter goes to Waiting when no request came from its node for this "
                         "many seconds (0: off; default: two gridMaster.mainLoopPeriodMsec of --policy, else 10)")
      ->check(CLI::Range(0.0, 3600.0));
  driver_cmd->add_option("--policy", drv.policy, "The unit's APIS policy.json (for the watchdog's default)");
  driver_cmd->add_option("--token-file", drv.token_file,
                         "Every request must carry this file's bearer token (mode 0600; `wattshare node "
                         "--driver-token-file` sends it)");
  driver_cmd->add_option("--battery-check", drv.battery_check_s,
                         "Battery check period, s; a denying or unreadable battery forces Waiting (0: off)")
      ->capture_default_str()->check(CLI::Range(0.0, 3600.0));
  driver_cmd->add_flag("--rs485-rts", drv.rs485_rts, "Kernel RS485 mode: RTS drives the direction");
  driver_cmd->add_flag("--local-echo", drv.local_echo, "The adapter echoes what is sent: drop it");
  driver_cmd->add_option("--cib", drv.cib, "Battery current limit, A")->capture_default_str();
  driver_cmd->add_option("--ubv", drv.ubv, "Battery under-voltage, V")->capture_default_str();
  driver_cmd->add_option("--ugv", drv.ugv, "Grid under-voltage, V")->capture_default_str();
  driver_cmd->add_option("--obv", drv.obv, "Battery over-voltage, V")->capture_default_str();
  driver_cmd->add_option("--ogv", drv.ogv, "Grid over-voltage, V")->capture_default_str();

  EzaSimOptions eza_sim;
  auto* eza_cmd = cli.add_subcommand(
      "eza-sim",
      "Emulate an EZA2500 converter on a pseudo-terminal linked at --pty-link, backed by the "
      "physics converter and battery (optionally also the battery's Modbus RTU link).");
  eza_cmd->add_option("--pty-link", eza_sim.pty_link, "Path to link the pty at")->required();
  eza_cmd->add_option("--battery-pty-link", eza_sim.battery_pty_link, "Also emulate the battery here");
  eza_cmd->add_option("--address", eza_sim.address, "AD1 the converter answers to")
      ->capture_default_str()->check(CLI::Range(0, 255));
  eza_cmd->add_option("--rsoc", eza_sim.rsoc_pct, "Initial RSOC, %")->capture_default_str()->check(CLI::Range(0.0, 100.0));
  eza_cmd->add_option("--grid-v", eza_sim.grid_v, "Bus voltage held by the others, V")->capture_default_str();
  eza_cmd->add_option("--fault", eza_sim.fault, "silence, checksum, wrong-cmd or nak:XXXX");
  eza_cmd->add_option("--fault-count", eza_sim.fault_count, "Replies affected (-1: all)")->capture_default_str();

  BatterySimOptions bat_sim;
  auto* bat_cmd = cli.add_subcommand(
      "battery-sim", "Emulate the APIS battery's Modbus RTU side on a pseudo-terminal linked at --pty-link.");
  bat_cmd->add_option("--pty-link", bat_sim.pty_link, "Path to link the pty at")->required();
  bat_cmd->add_option("--slave", bat_sim.slave, "Modbus slave id")->capture_default_str()->check(CLI::Range(1, 247));
  bat_cmd->add_option("--rsoc", bat_sim.rsoc_pct, "RSOC, %")->capture_default_str()->check(CLI::Range(0.0, 100.0));
  bat_cmd->add_flag("--deny", bat_sim.deny, "Deny energy sharing (status bit 0)");
  bat_cmd->add_option("--fault", bat_sim.fault, "silence, crc or exception:N");
  bat_cmd->add_option("--fault-count", bat_sim.fault_count, "Replies affected (-1: all)")->capture_default_str();

  TwcSimOptions twc_sim;
  auto* twc_sim_cmd = cli.add_subcommand(
      "twc-sim", "Emulate a Tesla Wall Connector Gen2 (RS485 load-sharing slave) with a car on a pseudo-terminal.");
  auto* twc_link = twc_sim_cmd->add_option("--pty-link", twc_sim.pty_link, "Path to link the pty at");
  auto* twc_pty = twc_sim_cmd->add_flag("--pty", twc_sim.pty, "No link: print the pty's own name (/dev/pts/N)");
  twc_link->excludes(twc_pty);
  twc_sim_cmd->add_option("--id", twc_sim.id, "TWCID (0x0001-0xFFFE)")->capture_default_str()->check(CLI::Range(1, 0xFFFE));
  twc_sim_cmd->add_option("--protocol", twc_sim.protocol, "1 or 2")->capture_default_str()->check(CLI::IsMember({1, 2}));
  twc_sim_cmd->add_option("--rated", twc_sim.rated_amps, "Rotary-switch rating, A")->capture_default_str()->check(CLI::Range(6.0, 80.0));
  twc_sim_cmd->add_option("--car", twc_sim.car_amps, "What the car draws when allowed, A (0: no car)")
      ->capture_default_str()->check(CLI::Range(0.0, 80.0));
  twc_sim_cmd->add_option("--fault", twc_sim.fault, "silence or checksum");
  twc_sim_cmd->add_option("--meter-port", twc_sim.meter_port,
                          "Also serve the house's SolarEdge SunSpec meter on 127.0.0.1:PORT (0: any), seeing the car's draw")
      ->check(CLI::Range(0, 65535));
  twc_sim_cmd->add_option("--kwp", twc_sim.kwp, "The meter's house: PV peak power")->capture_default_str()->check(CLI::Range(0.0, 100.0));
  twc_sim_cmd->add_option("--hour", twc_sim.hour, "The meter's house: local hour at start (1 June)")->capture_default_str()
      ->check(CLI::Range(0.0, 23.99));
  twc_sim_cmd->add_option("--car-phases", twc_sim.car_phases, "The phases the car draws on (the meter sees amps × 230 V × phases)")
      ->capture_default_str()->check(CLI::IsMember({1, 2, 3}));

  TwcMasterCliOptions twc;
  auto* twc_cmd = cli.add_subcommand(
      "twc", "Run the TWC Gen2 load-sharing master on a serial port for --seconds with one current limit for "
             "every charger, then print the chargers (id, protocol, rating, limit, actual current, state).");
  twc_cmd->add_option("--serial", twc.serial, "RS485 serial device (9600 8N1)")->required();
  twc_cmd->add_option("--amps", twc.amps, "Current limit per charger, A")->capture_default_str()->check(CLI::Range(0.0, 80.0));
  twc_cmd->add_option("--seconds", twc.seconds, "How long to run")->capture_default_str()->check(CLI::Range(0.1, 86400.0));
  twc_cmd->add_flag("--rs485-rts", twc.rs485_rts, "Kernel RS485 mode: RTS drives the direction");
  twc_cmd->add_flag("--json", twc.json, "Print one JSON object");

  auto* sunspec_cmd = cli.add_subcommand("sunspec", "SunSpec inverters and meters over Modbus TCP.");
  SunSpecReadOptions ss_read;
  auto* ss_read_cmd = sunspec_cmd->add_subcommand(
      "read", "Find the SunSpec map (\"SunS\" at 40000, 0 or 50000), walk its models and print the inverter's AC "
              "power, the grid meter's power (export positive, as SolarEdge) and the house's consumption.");
  ss_read_cmd->add_option("--host", ss_read.host, "Inverter address")->capture_default_str();
  ss_read_cmd->add_option("--port", ss_read.port, "Modbus TCP port (SolarEdge: 1502 or 502)")->capture_default_str();
  ss_read_cmd->add_option("--unit-id", ss_read.unit_id, "Modbus unit id")->capture_default_str()->check(CLI::Range(0, 247));
  ss_read_cmd->add_option("--timeout-ms", ss_read.timeout_ms, "Response timeout")->capture_default_str()->check(CLI::Range(10, 60000));
  ss_read_cmd->add_flag("--invert", ss_read.invert, "The meter counts import as positive");
  ss_read_cmd->add_option("--meter", ss_read.meter, "Which meter is at the grid connection (1–3)")
      ->capture_default_str()->check(CLI::Range(1, 3));
  ss_read_cmd->add_flag("--json", ss_read.json, "Print one JSON object");
  sunspec_cmd->require_subcommand(1);

  SunSpecSimOptions ss_sim;
  auto* ss_sim_cmd = cli.add_subcommand(
      "sunspec-sim", "Serve a SolarEdge-like SunSpec map over Modbus TCP, backed by the PV and house-load models.");
  ss_sim_cmd->add_option("--host", ss_sim.host, "Address to bind")->capture_default_str();
  ss_sim_cmd->add_option("--port", ss_sim.port, "Port (0 picks a free one and prints it)")->capture_default_str();
  ss_sim_cmd->add_option("--kwp", ss_sim.kwp, "PV peak power")->capture_default_str()->check(CLI::Range(0.0, 1000.0));
  ss_sim_cmd->add_option("--load-kwh", ss_sim.load_kwh, "House consumption per year")->capture_default_str();
  ss_sim_cmd->add_option("--start", ss_sim.start, "Day, YYYY-MM-DD")->capture_default_str();
  ss_sim_cmd->add_option("--hour", ss_sim.hour, "Local hour at start")->capture_default_str()->check(CLI::Range(0.0, 24.0));
  ss_sim_cmd->add_option("--acceleration", ss_sim.acceleration, "Simulated seconds per second")->capture_default_str();
  ss_sim_cmd->add_option("--seed", ss_sim.seed, "Weather and load seed")->capture_default_str();

  SurplusOptions sur;
  auto* surplus_cmd = cli.add_subcommand(
      "surplus", "Route a house's PV surplus into its EV charger, water heater dimmer and relay. As a daemon "
                 "(--config FILE, see examples/surplus/; without it an emulated house): SunSpec meter, TWC "
                 "chargers, status page, REST API /api/surplus, WebSocket /ws, MQTT with Home Assistant "
                 "discovery and Domoticz. --simulate runs a simulated "
                 "house minute by minute (PV, load, an EV away on weekdays, a 200 L tank) and reports "
                 "self_consumption, ev_solar_share, export_wh, import_wh, heater_wh, ev_wh, with the seed's "
                 "method (EV only, surplus = export + EV amps × 690) beside it.");
  surplus_cmd->add_flag("--simulate", sur.simulate, "Run the simulated house");
  surplus_cmd->add_option("--config", sur.config, "The daemon's configuration (JSON)");
  surplus_cmd->add_option("--http-port", sur.http_port, "Override the file's http.port (0: any free port)")
      ->check(CLI::Range(0, 65535));
  surplus_cmd->add_option("--sessions-file", sur.sessions_file,
                          "The charging sessions' SQLite file (default: wattshare-sessions.sqlite beside the token file)");
  surplus_cmd->add_option("--web-dir", sur.web_dir, "The built dashboard (web/dist)")->capture_default_str();
  surplus_cmd->add_option("--token-file", sur.token_file,
                          "The bearer token for mode changes (POST /api/surplus/mode) and the WebSocket; made "
                          "(mode 0600) on first start")
      ->capture_default_str();
  surplus_cmd->add_option("--days", sur.days, "Simulated days")->capture_default_str()->check(CLI::Range(1.0, 3660.0));
  surplus_cmd->add_option("--kwp", sur.kwp, "PV peak power (default 9, or the file's site.pv_kwp)")->check(CLI::Range(0.0, 100.0));
  surplus_cmd->add_option("--ev-daily-kwh", sur.ev_daily_kwh, "What the car uses per workday (default 8)")->check(CLI::Range(0.0, 200.0));
  surplus_cmd->add_option("--battery-kwh", sur.battery_kwh, "A home battery for --simulate (default none, or the file's)")
      ->check(CLI::Range(0.0, 1000.0));
  surplus_cmd->add_option("--start", sur.start, "First day, YYYY-MM-DD (default 2021-01-01)");
  surplus_cmd->add_flag("--json", sur.json, "Print one JSON object");

  NodeOptions node;
  auto* node_cmd = cli.add_subcommand(
      "node", "One unit's APIS agent as its own process: the APIS config set unchanged, the device through "
              "an APIS driver over HTTP (systemType dcdc_emulator: wattshare emulator; dcdc_v2: wattshare "
              "driver), the other units through etcd (membership, grid-master lease with fencing tokens, "
              "deal table, negotiation). A second process with the same unit id, or another policy, is refused.");
  node_cmd->add_option("--config", node.config, "The unit's APIS config.json")->required();
  add_etcd_options(node_cmd, node.etcd);
  node_cmd->add_option("--cluster", node.cluster, "Cluster name (default: the config's clusterId)");
  node_cmd->add_option("--driver-host", node.driver_host, "Override the driver host of config.json");
  node_cmd->add_option("--driver-port", node.driver_port, "Override the driver port of config.json");
  node_cmd->add_option("--driver-token-file", node.driver_token_file,
                       "The driver's bearer token (its --token-file), sent with every request");
  node_cmd->add_option("--emulate", node.emulate,
                       "Emulate this unit's house in-process from a community (folder or community.json) "
                       "instead of reaching a driver; the node's clock then starts at the community's start");
  node_cmd->add_option("--deal-log", node.deal_log, "Append this unit's disposed deals as JSON lines");
  node_cmd->add_option("--utc-offset-h", node.utc_offset_h, "Local time of the scenario")->capture_default_str();
  node_cmd->add_option("--clock-anchor", node.clock_anchor,
                       "VIRTUAL_MS@WALL_MS: the clock read VIRTUAL_MS at wall time WALL_MS (epoch ms), to share an "
                       "accelerated emulator's clock");
  node_cmd->add_option("--seed", node.seed, "Mixed with the unit id, the start time and the pid into the agent's seed (timing spread, deal ids)")->capture_default_str();
  node_cmd->add_option("--acceleration", node.acceleration,
                       "The node's clock against the wall clock (as the emulator's, for tests and demos)")
      ->capture_default_str()->check(CLI::Range(0.01, 1000.0));

  ClusterOptions clu;
  auto* cluster_cmd = cli.add_subcommand("cluster", "A cluster of wattshare node processes, from etcd.");
  cluster_cmd->require_subcommand(1);
  for (const char* action : {"status", "log", "mode", "deal", "probe", "init-auth"}) {
    const std::string a = action;
    auto* sub = cluster_cmd->add_subcommand(
        action, a == "status"      ? "Members, grid master, mode and running deals"
                : a == "log"       ? "Every logged deal (APIS deal JSON)"
                : a == "mode"      ? "Set the global mode"
                : a == "deal"      ? "Inject a deal, as APIS's test tools do (prints its id)"
                : a == "probe"     ? "Negotiation latency: requests until every member answered (JSON)"
                                   : "Turn etcd's auth on for this cluster: root, an operator and one user per member of "
                                     "--policy, each allowed only its own keys; their passwords in --secrets-dir; the "
                                     "policy written");
    add_etcd_options(sub, clu.etcd);
    sub->add_option("--cluster", clu.cluster, "Cluster name (the units' clusterId)")->capture_default_str();
    if (a == "init-auth") {
      sub->add_option("--policy", clu.policy, "The cluster's policy.json (its memberUnitIds get users)")->required();
      sub->add_option("--secrets-dir", clu.secrets_dir, "Folder for the users' password files (made 0700)")->required();
      sub->add_option("--mode", clu.mode, "The global mode to start in (default: the policy's)");
    } else if (std::string(action) == "mode") {
      sub->add_option("mode", clu.mode, "autonomous, heteronomous, stop or manual")->required();
    } else if (std::string(action) == "probe") {
      sub->add_option("--count", clu.count, "Requests")->capture_default_str()->check(CLI::Range(1, 100000));
    } else if (std::string(action) == "deal") {
      sub->add_option("--discharge", clu.discharge_unit, "The unit that gives")->required();
      sub->add_option("--charge", clu.charge_unit, "The unit that takes")->required();
      sub->add_option("--amount-wh", clu.amount_wh, "Energy")->capture_default_str()->check(CLI::Range(1, 100000));
      sub->add_option("--current-a", clu.current_a, "Deal grid current")->capture_default_str()->check(CLI::Range(0.1, 100.0));
    } else {
      sub->add_flag("--json", clu.json, "Print JSON");
    }
    sub->callback([&clu, action] { clu.action = action; });
  }

  CLI11_PARSE(cli, argc, argv);
  spdlog::set_pattern("%^%l%$ %v");
  if (sim_cmd->parsed()) return run_sim(sim);
  if (emu_cmd->parsed()) return run_emulator(emu);
  if (scope_cmd->parsed()) return run_scope_to_csv(scope_file, scope_csv);
  if (console_cmd->parsed()) return run_p2p_console(p2p, console_acceleration);
  if (p2p_cmd->parsed()) return run_p2p(p2p);
  if (check_cmd->parsed()) return run_config_check(check_paths);
  if (demo_cmd->parsed()) return run_demo(demo);
  if (driver_cmd->parsed()) return run_driver(drv);
  if (eza_cmd->parsed()) return run_eza_sim(eza_sim);
  if (bat_cmd->parsed()) return run_battery_sim(bat_sim);
  if (twc_sim_cmd->parsed()) return run_twc_sim(twc_sim);
  if (twc_cmd->parsed()) return run_twc_master(twc);
  if (ss_read_cmd->parsed()) return run_sunspec_read(ss_read);
  if (ss_sim_cmd->parsed()) return run_sunspec_sim(ss_sim);
  if (surplus_cmd->parsed()) return run_surplus(sur);
  if (node_cmd->parsed()) return run_node(node);
  if (cluster_cmd->parsed()) return run_cluster(clu);
  return 2;
}
