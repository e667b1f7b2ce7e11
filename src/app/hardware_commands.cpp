// `wattshare driver`, `wattshare eza-sim`, `wattshare battery-sim`: the native driver for real
// APIS hardware behind the dcdc_batt_comm HTTP API, and the two devices emulated on
// pseudo-terminals for tests and demos.
#include <chrono>
#include <cstdio>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/commands.hpp"
#include "app/modelled_site.hpp"
#include "app/secret_option.hpp"
#include "app/shutdown.hpp"
#include "devices/battery/battery_client.hpp"
#include "devices/battery/battery_emulator.hpp"
#include "devices/eza2500/driver_service.hpp"
#include "devices/eza2500/emulator.hpp"
#include "devices/serial/pty_server.hpp"
#include "devices/serial/serial_port.hpp"
#include "devices/sunspec/sunspec_server.hpp"
#include "devices/twc/twc_emulator.hpp"
#include "devices/twc/twc_master.hpp"
#include "config/policy.hpp"
#include "core/json_file.hpp"
#include "net/asio_scheduler.hpp"
#include "net/http_server.hpp"
#include "physics/solar.hpp"

namespace wattshare::app {
namespace {

double seconds_since_start() {
  static const auto t0 = std::chrono::steady_clock::now();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// "silence", "checksum", "wrong-cmd", "nak:fffd" → a converter fault.
tl::expected<eza::EzaFault, Error> parse_eza_fault(const std::string& text, int count) {
  eza::EzaFault f;
  f.count = count;
  if (text.empty()) f.kind = eza::EzaFault::kNone;
  else if (text == "silence") f.kind = eza::EzaFault::kSilence;
  else if (text == "checksum") f.kind = eza::EzaFault::kBadChecksum;
  else if (text == "wrong-cmd") f.kind = eza::EzaFault::kWrongCommand;
  else if (text.starts_with("nak:") && text.size() == 8) {
    f.kind = eza::EzaFault::kNak;
    f.ercd = static_cast<std::uint16_t>(std::stoul(text.substr(4), nullptr, 16));
  } else {
    return tl::make_unexpected(Error::bad_input(fmt::format(
        "--fault {:?}: expected silence, checksum, wrong-cmd or nak:XXXX (4 hex digits)", text)));
  }
  return f;
}

// "silence", "crc", "exception:N" → a battery fault.
tl::expected<BatteryFault, Error> parse_battery_fault(const std::string& text, int count) {
  BatteryFault f;
  f.count = count;
  if (text.empty()) f.kind = BatteryFault::kNone;
  else if (text == "silence") f.kind = BatteryFault::kSilence;
  else if (text == "crc") f.kind = BatteryFault::kBadCrc;
  else if (text.starts_with("exception:") && text.size() == 11 && text[10] >= '1' && text[10] <= '9') {
    f.kind = BatteryFault::kException;
    f.exception = static_cast<std::uint8_t>(text[10] - '0');
  } else {
    return tl::make_unexpected(
        Error::bad_input(fmt::format("--fault {:?}: expected silence, crc or exception:N (N 1–9)", text)));
  }
  return f;
}

int serve_ptys(PtyServer& server) {
  const auto& stop = stop_flag_on_signals();
  std::fflush(stdout);
  server.run(stop);
  return 0;
}

}  // namespace

int run_eza_sim(const EzaSimOptions& o) {
  auto fault = parse_eza_fault(o.fault, o.fault_count);
  if (!fault) {
    spdlog::error("{}", fault.error().message);
    return 2;
  }
  Battery battery{BatteryParams{.capacity_wh = o.capacity_wh, .initial_rsoc_pct = o.rsoc_pct}};
  eza::EzaEmulatorOptions eo;
  eo.address = static_cast<std::uint8_t>(o.address);
  eo.grid_voltage_v = o.grid_v;
  eza::EzaEmulator converter{battery, eo, seconds_since_start};
  converter.inject(*fault);
  auto pty = PtyLink::create(o.pty_link);
  if (!pty) {
    spdlog::error("{}", pty.error().message);
    return 1;
  }
  PtyServer server;
  server.add(**pty, converter);
  fmt::print("wattshare eza-sim: EZA2500 at address {} on {} ({})\n", o.address, (*pty)->path(),
             (*pty)->slave_name());
  // The battery of the same house, on its own link, shares the physics battery.
  std::unique_ptr<PtyLink> battery_pty;
  BatteryEmulator bms{battery, 1};
  if (!o.battery_pty_link.empty()) {
    auto b = PtyLink::create(o.battery_pty_link);
    if (!b) {
      spdlog::error("{}", b.error().message);
      return 1;
    }
    battery_pty = std::move(*b);
    server.add(*battery_pty, bms);
    fmt::print("wattshare eza-sim: battery (Modbus RTU slave 1) on {} ({})\n", battery_pty->path(),
               battery_pty->slave_name());
  }
  return serve_ptys(server);
}

int run_battery_sim(const BatterySimOptions& o) {
  auto fault = parse_battery_fault(o.fault, o.fault_count);
  if (!fault) {
    spdlog::error("{}", fault.error().message);
    return 2;
  }
  Battery battery{BatteryParams{.initial_rsoc_pct = o.rsoc_pct}};
  battery.set_denied(o.deny);
  BatteryEmulator bms{battery, static_cast<std::uint8_t>(o.slave)};
  bms.inject(*fault);
  auto pty = PtyLink::create(o.pty_link);
  if (!pty) {
    spdlog::error("{}", pty.error().message);
    return 1;
  }
  PtyServer server;
  server.add(**pty, bms);
  fmt::print("wattshare battery-sim: Modbus RTU slave {} on {} ({}), RSOC {} %, {}\n", o.slave,
             (*pty)->path(), (*pty)->slave_name(), o.rsoc_pct, o.deny ? "denying" : "permitting");
  return serve_ptys(server);
}

int run_driver(const DriverCliOptions& o) {
  catch_stop_signals_early();  // a stop while starting up still stops cleanly
  auto port = SerialPort::open({.device = o.dcdc_serial, .baud = o.dcdc_baud, .rs485_rts = o.rs485_rts,
                                .local_echo = o.local_echo});
  if (!port) {
    spdlog::error("{}", port.error().message);
    return 1;
  }
  eza::LinkOptions lo;
  lo.converter_address = static_cast<std::uint8_t>(o.converter_address);
  lo.host_address = static_cast<std::uint8_t>(o.host_address);
  lo.command_gap = std::chrono::milliseconds(o.command_gap_ms);
  lo.reply_timeout = std::chrono::milliseconds(o.reply_timeout_ms);
  lo.retry_wait = std::chrono::milliseconds(o.retry_wait_ms);
  eza::Eza2500Link link{**port, lo};

  std::unique_ptr<BatteryClient> battery;
  if (!o.battery_serial.empty()) {
    auto b = BatteryClient::open({.device = o.battery_serial, .baud = o.battery_baud, .slave = o.battery_slave});
    if (!b) {
      spdlog::error("{}", b.error().message);
      return 1;
    }
    battery = std::move(*b);
  }
  // The node-silence fail-safe's bound: given, or from the unit's policy, or APIS's default loop.
  Duration silence = Policy{}.device_watchdog();
  if (!o.policy.empty()) {
    auto policy = load_policy(o.policy);
    if (!policy) {
      spdlog::error("--policy: {}", policy.error().message);
      return 1;
    }
    silence = policy->device_watchdog();
  }
  if (o.watchdog_s) silence = from_seconds(*o.watchdog_s);
  eza::DriverOptions dopt;
  dopt.setup = {.cib = o.cib, .ubv = o.ubv, .ugv = o.ugv, .obv = o.obv, .ogv = o.ogv};
  dopt.force_wait_on_deny = o.battery_check_s > 0;
  eza::DcdcBattDriver driver{link, battery.get(), dopt};

  boost::asio::io_context io;
  AsioScheduler scheduler{io, TimePoint{}, 1.0};
  if (battery && o.battery_check_s > 0) {
    scheduler.every(from_seconds(o.battery_check_s), [&] {
      const eza::WatchdogResult w = driver.watchdog_tick();
      if (w.error) spdlog::warn("battery watchdog: {}", w.error->message);
      if (w.forced_wait) spdlog::warn("battery watchdog: converter forced to Waiting");
    });
  }
  if (silence > Duration::zero()) {
    // Checked ten times per bound: the converter stops at most a tenth late.
    scheduler.every(std::max(Duration{10}, silence / 10), [&] {
      const eza::WatchdogResult w = driver.silence_tick(scheduler.now(), silence);
      if (w.error) spdlog::error("watchdog: no request from the node for {:.1f} s: {}", to_seconds(silence), w.error->message);
      if (w.forced_wait)
        spdlog::warn("watchdog: no request from the node for {:.1f} s: converter put to Waiting", to_seconds(silence));
    });
  }
  // Programs only (apis-main, wattshare node), never a web page; the token when one is given.
  // Only what passes counts as the node's contact for the watchdog.
  auto token = secret_option(o.token_file, "--token-file");
  if (!token) {
    spdlog::error("{}", token.error().message);
    return 1;
  }
  const ListenerAccess access{.token = *token};
  HttpServer http{io};
  auto bound = http.listen(o.host, static_cast<std::uint16_t>(o.port), [&](const HttpRequest& r) {
    HttpResponse resp = driver.handle(r);
    driver.note_contact(scheduler.now());
    if (resp.status != 200) spdlog::warn("{} → {} {}", r.target, resp.status, resp.body);
    return resp;
  }, access);
  if (!bound) {
    spdlog::error("{}", bound.error().message);
    return 1;
  }
  fmt::print("wattshare driver: EZA2500 on {} ({} baud), battery {}, dcdc_batt_comm API on http://{}:{}, {}\n",
             o.dcdc_serial, o.dcdc_baud, o.battery_serial.empty() ? "none" : o.battery_serial, o.host, *bound,
             silence > Duration::zero()
                 ? fmt::format("Waiting after {:.1f} s without a request", to_seconds(silence))
                 : std::string("no node-silence watchdog"));
  std::fflush(stdout);
  run_until_signal(io, [&] { http.stop(); });
  return 0;
}

int run_twc_sim(const TwcSimOptions& o) {
  if (o.pty_link.empty() && !o.pty) {
    spdlog::error("twc-sim: give --pty-link PATH or --pty");
    return 2;
  }
  twc::TwcEmulatorOptions eo;
  eo.id = static_cast<std::uint16_t>(o.id);
  eo.sign = static_cast<std::uint8_t>(o.id >> 8);
  eo.protocol = o.protocol == 1 ? twc::Protocol::kV1 : twc::Protocol::kV2;
  eo.rated_amps = o.rated_amps;
  eo.car_plugged = o.car_amps > 0;  // --car 0: no car at the charger
  eo.car_demand_amps = o.car_amps;
  twc::TwcEmulator charger{eo, seconds_since_start};
  if (o.fault == "silence") charger.set_fault(twc::TwcEmulator::Fault::kSilence);
  else if (o.fault == "checksum") charger.set_fault(twc::TwcEmulator::Fault::kBadChecksum);
  else if (!o.fault.empty()) {
    spdlog::error("--fault {:?}: expected silence or checksum", o.fault);
    return 2;
  }
  auto pty = PtyLink::create(o.pty_link);
  if (!pty) {
    spdlog::error("{}", pty.error().message);
    return 1;
  }
  PtyServer server;
  server.add(**pty, charger);
  fmt::print("wattshare twc-sim: TWC Gen2 {:04x} (protocol {}, {} A rated, car {} A) on {} ({})\n", o.id, o.protocol,
             o.rated_amps, o.car_amps, (*pty)->path(), (*pty)->slave_name());
  // The house's meter beside it sees what the car draws (the charger is thread-safe).
  std::unique_ptr<sunspec::SunSpecServer> meter;
  std::jthread meter_thread;
  if (o.meter_port) {
    const Location where{};
    const TimePoint first = from_civil(2021, 6, 1) + from_seconds((o.hour - where.utc_offset_h) * 3600.0);
    auto listening = sunspec::SunSpecServer::listen(
        "127.0.0.1", *o.meter_port,
        modelled_site({.kwp = o.kwp, .first = first},
                      [&charger, w_per_a = o.car_volts * o.car_phases] { return charger.actual_amps() * w_per_a; }));
    if (!listening) {
      spdlog::error("{}", listening.error().message);
      return 1;
    }
    meter = std::move(*listening);
    fmt::print("wattshare twc-sim: the house's SolarEdge meter (sees the car) on 127.0.0.1:{}, {} kWp at {:.0f}:00\n",
               meter->port(), o.kwp, o.hour);
    meter_thread = std::jthread([&] { meter->run(stop_flag_on_signals()); });
  }
  return serve_ptys(server);
}

int run_twc_master(const TwcMasterCliOptions& o) {
  auto port = SerialPort::open({.device = o.serial, .baud = 9600, .rs485_rts = o.rs485_rts});
  if (!port) {
    spdlog::error("{}", port.error().message);
    return 1;
  }
  twc::TwcMaster master{**port, {}};
  master.set_limit_all(o.amps);
  const auto& stop = stop_flag_on_signals();
  const auto t0 = std::chrono::steady_clock::now();
  const auto end = t0 + std::chrono::duration<double>(o.seconds);
  while (!stop.load() && std::chrono::steady_clock::now() < end) {
    const TimePoint now = TimePoint{} + std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - t0);
    master.poll(now, std::chrono::milliseconds(50));
    for (const auto& e : master.take_events()) fmt::print(stderr, "twc: {}\n", e);  // stdout keeps the result
  }
  Json slaves = Json::array();
  for (const auto& s : master.slaves()) {
    slaves.push_back(Json{{"id", fmt::format("{:04x}", s.id)}, {"protocol", static_cast<int>(s.protocol)},
                          {"rated_amps", s.rated_amps}, {"limit_amps", s.limit_amps},
                          {"reported_max_amps", s.reported_max_amps}, {"actual_amps", s.actual_amps}, {"state", s.state}});
  }
  const Json out{{"slaves", slaves}, {"total_actual_amps", master.total_actual_amps()}, {"frames_sent", master.frames_sent()}};
  if (o.json) {
    fmt::print("{}\n", dump_json(out));
  } else {
    for (const auto& s : slaves) fmt::print("{} {}\n", s["id"].get<std::string>(), dump_json(s));
  }
  return 0;
}

}  // namespace wattshare::app
