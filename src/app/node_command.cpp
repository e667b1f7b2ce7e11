// `wattshare node`: one unit's APIS agent as its own process (reference apis.md; issue "one process
// per unit"): its APIS config set read unchanged, its device through an APIS driver over HTTP
// (systemType dcdc_emulator: `wattshare emulator` or apis-emulator; dcdc_v2: `wattshare driver`
// or apis-dcdc_batt_comm), the other units through etcd. Ctrl-C or SIGTERM leaves the cluster
// (the node's keys go with its lease; a grid master hosted here resigns).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/commands.hpp"
#include "app/etcd_access.hpp"
#include "app/secret_option.hpp"
#include "app/shutdown.hpp"
#include "app/unit_files.hpp"
#include "app/wall_clock.hpp"
#include "cluster/driver_client.hpp"
#include "cluster/etcd_fabric.hpp"
#include "config/community.hpp"
#include "devices/emulated/community.hpp"
#include "devices/emulated/emulated_dcdc.hpp"
#include "config/config_set.hpp"
#include "core/json_file.hpp"
#include "core/random.hpp"
#include "engine/config_reloader.hpp"
#include "engine/unit_agent.hpp"
#include "net/asio_scheduler.hpp"
#include "store/deal_log_files.hpp"

namespace wattshare::app {
namespace {

// "VIRTUAL_MS@WALL_MS", both epoch milliseconds.
tl::expected<std::pair<TimePoint, TimePoint>, Error> parse_clock_anchor(const std::string& text) {
  const auto at = text.find('@');
  auto number = [](const std::string& s, long long& out) {
    if (s.empty() || s.size() > 15 || s.find_first_not_of("0123456789") != std::string::npos) return false;
    out = std::stoll(s);
    return true;
  };
  long long virtual_ms = 0, wall_ms = 0;
  if (at == std::string::npos || !number(text.substr(0, at), virtual_ms) || !number(text.substr(at + 1), wall_ms)) {
    return tl::unexpected(Error::bad_input(fmt::format("'{}': expected VIRTUAL_MS@WALL_MS (epoch milliseconds)", text)));
  }
  return std::pair{TimePoint{} + Duration(virtual_ms), TimePoint{} + Duration(wall_ms)};
}

}  // namespace

int run_node(const NodeOptions& o) {
  catch_stop_signals_early();  // a stop while starting up still stops cleanly
  const auto started = std::chrono::steady_clock::now();
  auto config = load_config_set(o.config);
  if (!config) {
    spdlog::error("{}", config.error().message);
    return 2;
  }
  if (auto problems = cross_check(*config); !problems.empty()) {
    for (const auto& p : problems) spdlog::error("{}", p);
    return 2;
  }
  auto endpoint = etcd_endpoint(o.etcd);
  if (!endpoint) {
    spdlog::error("{}", endpoint.error().message);
    return 2;
  }
  auto policy_doc = load_json_file(config->unit.policy_file);
  if (!policy_doc) {
    spdlog::error("{}", policy_doc.error().message);
    return 2;
  }
  const ConfigSet& cs = *config;
  const std::string unit = cs.unit.unit_id;
  cluster::DriverOptions driver;
  switch (cs.unit.system_type) {
    case SystemType::kDcdcEmulator:
      driver.style = cluster::DriverStyle::kEmulator;
      driver.host = cs.unit.emulator.host;
      driver.port = static_cast<std::uint16_t>(cs.unit.emulator.port);
      break;
    case SystemType::kDcdcV2:
      driver.style = cluster::DriverStyle::kDcdcV2;
      driver.host = cs.unit.dcdc_controller.host;
      driver.port = static_cast<std::uint16_t>(cs.unit.dcdc_controller.port);
      break;
    default:
      spdlog::error("{}: systemType {} is not served by wattshare node (dcdc_emulator or dcdc_v2)", o.config,
                    to_string(cs.unit.system_type));
      return 2;
  }
  if (driver.host == "localhost") driver.host = "127.0.0.1";
  driver.unit_id = unit;
  driver.timeout = std::chrono::milliseconds(cs.policy.controller.request_timeout_ms);
  driver.retry_limit = cs.policy.controller.retry_limit;
  auto driver_token = secret_option(o.driver_token_file, "--driver-token-file");
  if (!driver_token) {
    spdlog::error("{}", driver_token.error().message);
    return 2;
  }
  driver.token = *driver_token;
  if (o.driver_host) driver.host = *o.driver_host;
  if (o.driver_port) driver.port = static_cast<std::uint16_t>(*o.driver_port);

  // The device: the unit's house emulated here (its own copy of the community's physics, the
  // node's clock starting at the community's start), or an APIS driver over HTTP.
  std::optional<CommunitySpec> spec;
  std::unique_ptr<Community> physics;
  int house = -1;
  if (o.emulate) {
    auto s = load_community(*o.emulate);
    if (!s) {
      spdlog::error("--emulate: {}", s.error().message);
      return 2;
    }
    spec = std::move(*s);
    house = spec->index_of(unit);
    if (house < 0) {
      spdlog::error("--emulate {}: unit {} is not one of its houses", *o.emulate, unit);
      return 2;
    }
    physics = std::make_unique<Community>(*spec);
  }
  TimePoint start = spec ? spec->start : wall_now();
  if (o.clock_anchor) {
    auto anchor = parse_clock_anchor(*o.clock_anchor);
    if (!anchor) {
      spdlog::error("--clock-anchor: {}", anchor.error().message);
      return 2;
    }
    start = anchor->first + from_seconds(to_seconds(wall_now() - anchor->second) * o.acceleration);
  }
  boost::asio::io_context io;
  AsioScheduler scheduler{io, start, o.acceleration};
  std::unique_ptr<Dcdc> dcdc;
  if (physics) {
    dcdc = std::make_unique<EmulatedDcdc>(*physics, static_cast<std::size_t>(house), scheduler);
  } else {
    dcdc = std::make_unique<cluster::ApisDriverDcdc>(driver, [&] { return scheduler.now(); });
  }
  const Duration utc_offset = from_seconds(o.utc_offset_h * 3600);
  cluster::EtcdFabricOptions fo;
  fo.etcd = *endpoint;
  fo.cluster = o.cluster.empty() ? (cs.unit.cluster_id.empty() ? std::string("default") : cs.unit.cluster_id) : o.cluster;
  fo.unit_id = unit;
  fo.interlock_capacity = std::max(0, static_cast<int>(cs.hw.grid_current_capacity_a / cs.policy.mediator.deal_grid_current_a));
  fo.utc_offset = utc_offset;
  fo.policy_json = dump_json(*policy_doc);
  fo.poll = std::max(milliseconds(1), from_seconds(0.002 * o.acceleration));
  auto fabric = cluster::EtcdFabric::join(fo, cs.policy, scheduler,
                                          [&io](std::function<void()> f) { boost::asio::post(io, std::move(f)); });
  if (!fabric) {
    spdlog::error("{}", fabric.error().message);
    return 1;
  }
  std::ofstream deal_log;
  if (o.deal_log) {
    deal_log.open(*o.deal_log, std::ios::app);
    if (!deal_log) {
      spdlog::error("--deal-log {}: cannot open", *o.deal_log);
      return 2;
    }
  }
  // APIS's deal log files (mediator/DealLogging): each of this unit's deals at
  // dealLogDirFormat/<dealId>, every dealLoggingPeriodMsec while it runs and once more at its end.
  auto deal_files = DealLogFiles::open(cs.unit.deal_log_dir_format, unit);
  if (!deal_files) {
    spdlog::error("{}: {}", o.config, deal_files.error().message);
    return 2;
  }
  const auto save_deal = [&](const Json& record) {
    if (auto r = deal_files->write(record); !r) spdlog::error("{}: {}", unit, r.error().message);
  };
  (*fabric)->on_deal_log([&](const Json& record) {
    save_deal(record);
    if (deal_log.is_open()) deal_log << dump_json(record) << std::endl;
  });
  // One process per unit on a machine (fileSystemExclusiveLockFileFormat), and the local mode
  // kept across restarts in the unit's state file (stateFileFormat), as apis-main keeps them.
  auto lock = UnitLock::take(apis_path(cs.unit.lock_file_format, "unit-" + unit));
  if (!lock) {
    spdlog::error("unit {}: {}; refusing to start a second one", unit, lock.error().message);
    return 1;
  }
  const std::string state_file = apis_path(cs.unit.state_file_format, "operationMode");
  auto kept_mode = read_local_mode(state_file);
  if (!kept_mode) spdlog::warn("{}", kept_mode.error().message);
  AgentHooks hooks;
  hooks.error = [](const ApisError& e) { spdlog::warn("{}", format_apis_error(e)); };
  hooks.event = [](const std::string& u, const std::string& what) { spdlog::info("{}: {}", u, what); };
  hooks.local_mode = [&](std::optional<OperationMode> m) {
    if (auto r = write_local_mode(state_file, m); !r) spdlog::error("{}", r.error().message);
  };
  // Deal ids come from the agent's seed: distinct per unit, and per start (a restarted node must
  // not make the ids of its earlier life, which etcd may still hold).
  const std::uint64_t agent_seed = hash_key(o.seed, hash_text(unit),
                                            static_cast<std::uint64_t>(wall_now().time_since_epoch().count()),
                                            static_cast<std::uint64_t>(::getpid()));
  UnitAgent agent{unit, scheduler, **fabric, *dcdc, cs, utc_offset, agent_seed, hooks};
  if (kept_mode && *kept_mode) {
    (void)agent.set_local_mode(*kept_mode);
    spdlog::info("{}: local mode {} kept from {}", unit, to_string(**kept_mode), state_file);
  }
  (*fabric)->attach(agent);
  agent.start(scheduler.now(), true);
  ConfigReloader reloader{agent, scheduler, *config};  // HwConfigKeeping, PolicyKeeping, ScenarioKeeping
  reloader.start();
  // The record at each data acquisition's pace (the grid master's cache of units outside deals),
  // at most once a second of real time (every node watches every record); a change of the unit's
  // market goes out at once.
  const Duration publish = std::max(Duration(milliseconds(cs.policy.controller.data_acquisition_period_ms)),
                                    from_seconds(o.acceleration));
  scheduler.every(publish, [&] { (*fabric)->publish_member(); });
  scheduler.every(milliseconds(cs.policy.mediator.deal_logging_period_ms), [&] {
    for (const Deal& d : (*fabric)->deals())
      if (d.charge_unit_id == unit || d.discharge_unit_id == unit) save_deal(deal_json(d, utc_offset));
  });
  // start() made the first data acquisition: what "ready" means here.
  const double ready_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  const std::string device =
      physics ? fmt::format("emulated in-process from {}", *o.emulate)
              : fmt::format("http://{}:{} ({})", driver.host, driver.port,
                            driver.style == cluster::DriverStyle::kEmulator ? "dcdc_emulator" : "dcdc_v2");
  fmt::print("wattshare node: {} in cluster {} (pid {}), etcd {}:{}, device {}, ready in {:.0f} ms\n", unit, fo.cluster,
             ::getpid(), fo.etcd.host, fo.etcd.port, device, ready_ms);
  // After the ready line, which tools and tests read first: what APIS would load with a WARN.
  for (const auto& w : config->warnings) spdlog::warn("{}", w);
  std::fflush(stdout);
  run_until_signal(io, [&] {
    agent.crash();  // timers off; the deals it was in are aborted by the grid master
    (*fabric)->leave();
  });
  fmt::print("wattshare node: {} left\n", unit);
  return 0;
}

}  // namespace wattshare::app
