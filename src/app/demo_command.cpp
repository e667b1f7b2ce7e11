// `wattshare demo`: the emulated community with the sharing engine in real time × an
// acceleration, its history in SQLite, and the operator API on 127.0.0.1:4382. With
// --processes, the sharing runs in one node process per unit through etcd (demo_processes.hpp).
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <filesystem>
#include <fstream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/api_service.hpp"
#include "api/apis_web.hpp"
#include "api/history_recorder.hpp"
#include "engine/config_reloader.hpp"
#include "app/commands.hpp"
#include "app/community_loader.hpp"
#include "app/demo_processes.hpp"
#include "app/history_reader.hpp"
#include "app/scheduler_acceleration.hpp"
#include "app/shutdown.hpp"
#include "core/apis_time.hpp"
#include "core/secret.hpp"
#include "net/http_server.hpp"

namespace wattshare::app {
namespace {

// The access token for writes: kept in the data directory (created 0600, never readable by
// others) so that it survives a restart, made from the system's random source the first time.
tl::expected<std::string, Error> load_or_make_token(const std::filesystem::path& dir, const std::string& given) {
  const auto path = given.empty() ? (dir / "token").string() : given;
  auto token = given.empty() ? load_or_make_secret_file(path) : read_secret_file(path);
  if (token && token->size() < 16) {
    return tl::make_unexpected(Error::invalid_config(fmt::format("{}: the token must have at least 16 characters", path)));
  }
  return token;
}

}  // namespace

int run_demo(const DemoOptions& o) {
  catch_stop_signals_early();  // a stop while starting up still stops cleanly
  auto spec = load_community_with(o.config, o.start, o.seed);
  if (!spec) {
    spdlog::error("{}", spec.error().message);
    return 1;
  }
  auto mode = parse_operation_mode(o.mode);
  if (!mode) {
    spdlog::error("--mode: {}", mode.error().message);
    return 1;
  }
  // Every file the demo makes (history, token, logs, etcd's store) is for this user alone.
  ::umask(077);
  std::error_code ec;
  std::filesystem::create_directories(o.data_dir, ec);
  if (ec) {
    spdlog::error("--data-dir {}: {}", o.data_dir, ec.message());
    return 1;
  }
  const auto history_max_bytes = static_cast<std::uint64_t>(o.history_max_mb * 1024 * 1024);
  auto store = HistoryStore::open((std::filesystem::path(o.data_dir) / "history.sqlite").string(), history_max_bytes);
  if (!store) {
    spdlog::error("{}", store.error().message);
    return 1;
  }
  auto token = load_or_make_token(o.data_dir, o.token_file);
  if (!token) {
    spdlog::error("{}", token.error().message);
    return 1;
  }
  const Duration offset = from_seconds(spec->location.utc_offset_h * 3600.0);
  // A restart carries on where the history stops, with each battery where it was.
  const auto resume = (*store)->last_time();
  if (resume) spec->start = *resume + seconds(1);
  Community community{*spec};
  if (o.flexible_loads) community.set_flexible_policy(flexible_policy_named(*o.flexible_loads).value_or(FlexiblePolicy::kOff));
  if (resume) {
    for (std::size_t i = 0; i < community.size(); ++i) {
      if (auto r = (*store)->last_rsoc(community.unit_id(i))) community.battery(i).set_rsoc_pct(*r);
    }
  }
  boost::asio::io_context io;
  AsioScheduler scheduler{io, spec->start, o.acceleration};
  HttpServer http{io};
  // The sharing side: every agent in this process, or one node process per unit through etcd.
  std::unique_ptr<SharingEngine> engine;
  std::unique_ptr<EngineSharingView> engine_view;
  std::unique_ptr<DemoProcesses> cluster;
  SchedulerAcceleration live_acceleration{scheduler};
  SharingView* sharing = nullptr;
  AccelerationControl* acceleration = &live_acceleration;
  if (o.processes) {
    DemoProcessesOptions po{o.data_dir, o.etcd_port, *mode, offset};
    auto started = DemoProcesses::start(po, community, *spec, scheduler, http,
                                        [&io](std::function<void()> f) { boost::asio::post(io, std::move(f)); });
    if (!started) {
      spdlog::error("--processes: {}", started.error().message);
      return 1;
    }
    cluster = std::move(*started);
    sharing = &cluster->sharing();
    acceleration = &cluster->acceleration();
  } else {
    engine = std::make_unique<SharingEngine>(community, scheduler, *spec);
    engine_view = std::make_unique<EngineSharingView>(*engine, offset);
    sharing = engine_view.get();
  }
  HistoryRecorder recorder{community, *sharing, **store, scheduler, from_seconds(o.sample_s),
                           [](const std::string& problem) { spdlog::error("{}", problem); }};
  recorder.start();
  if (engine) engine->start(*mode);
  // Each unit's files read again every refreshingPeriodMsec (a node process does it itself).
  std::vector<std::unique_ptr<ConfigReloader>> reloaders;
  if (engine) reloaders = make_config_reloaders(*engine, scheduler, *spec);
  for (auto& r : reloaders) r->start();
  scheduler.every(seconds(10), [&] { community.advance_to(scheduler.now()); });

  // The WebSocket pushes everything at each data acquisition of the community (5 s of its
  // time), at most every 100 ms of real time, and at once after a write.
  std::function<void(bool)> push;
  ApiService api{{community, *sharing, **store, scheduler, acceleration, *token, offset, o.web_dir, [&] { push(true); },
                  [&] { return recorder.health(); }}};
  auto last_push = std::chrono::steady_clock::time_point{};
  push = [&](bool now) {
    const auto t = std::chrono::steady_clock::now();
    if (http.websocket_clients() == 0 || (!now && t - last_push < std::chrono::milliseconds(100))) return;
    last_push = t;
    http.broadcast(dump_json(api.snapshot_json()));
  };
  http.enable_websocket("/ws", [&] { return dump_json(api.snapshot_json()); }, *token);
  scheduler.every(seconds(5), [&] { push(false); });
  // History reads run on a thread and connection of their own (HistoryReader), the rest here.
  auto reader_store = HistoryStore::open((std::filesystem::path(o.data_dir) / "history.sqlite").string());
  if (!reader_store) {
    spdlog::error("{}", reader_store.error().message);
    return 1;
  }
  HistoryReader reader{std::move(*reader_store)};
  // The dashboard's own pages, and programs; no other site's page (ListenerAccess).
  auto port = http.listen_deferred(
      o.host, static_cast<std::uint16_t>(o.port),
      [&](const HttpRequest& r, const HttpServer::Respond& respond) {
        if (auto query = api.deferrable(r)) {
          if (!reader.post(std::move(*query), respond)) {
            respond(json_response(503, R"({"error":"too many history reads at once; try again"})"));
          }
          return;
        }
        respond(api.handle(r));
      },
      ListenerAccess{.callers = ListenerAccess::Callers::kOwnPages});
  if (!port) {
    spdlog::error("{}", port.error().message);
    return 1;
  }
  // apis-web, as apis-main_controller expects it: no token, so programs only, on loopback only.
  ApisWebApi apis_web{{community, *sharing, scheduler, offset, [&] { push(true); }}};
  std::optional<std::uint16_t> apis_web_port;
  if (o.apis_web_port) {
    const auto web_port = static_cast<std::uint16_t>(*o.apis_web_port);
    auto listening = http.listen(
        "127.0.0.1", web_port, [&](const HttpRequest& r) { return apis_web.handle(r); },
        ListenerAccess{.callers = ListenerAccess::Callers::kPrograms});
    if (!listening) {
      spdlog::error("--apis-web-port: {}", listening.error().message);
      return 1;
    }
    apis_web_port = *listening;
  }
  fmt::print("wattshare demo: {} units from {}, {} mode, {}x, {} at {}\n", community.size(), spec->source_path,
             to_string(*mode), o.acceleration, resume ? "resumed" : "starting", format_apis_time(spec->start, offset));
  fmt::print("  dashboard on http://{}:{}/#token={}\n", o.host, *port, *token);
  fmt::print("  API on http://{}:{}/api/units  (writes: Authorization: Bearer {})\n", o.host, *port, *token);
  if (apis_web_port) {
    fmt::print("  apis-web API on http://127.0.0.1:{}/get/log  (apis-main_controller: apis_emul_port and "
               "apis_budo_port = {})\n", *apis_web_port, *apis_web_port);
  }
  fmt::print("  history in {}\n", (std::filesystem::path(o.data_dir) / "history.sqlite").string());
  if (cluster) {
    fmt::print("  cluster {} in etcd on 127.0.0.1:{} (pid {}); nodes' output in {}\n", cluster->cluster(),
               cluster->etcd_port(), cluster->etcd_pid(), (std::filesystem::path(o.data_dir) / "logs").string());
    for (const auto& [unit, pid] : cluster->nodes()) fmt::print("  node {} pid {}\n", unit, pid);
  }
  std::fflush(stdout);

  run_until_signal(io, [&] {
    recorder.record_now();  // the last moments are history too
    if (cluster) cluster->stop();
    http.stop();
  });
  if (recorder.queued() > 0 || recorder.health().dropped > 0) {
    spdlog::error("history: {} rows could not be written, {} dropped", recorder.queued(), recorder.health().dropped);
  }
  fmt::print("wattshare demo: stopped at {}\n", format_apis_time(scheduler.now(), offset));
  return 0;
}

}  // namespace wattshare::app
