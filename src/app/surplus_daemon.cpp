// `wattshare surplus` (without --simulate): the PV-surplus router as a daemon. A control thread
// runs one cycle per `cycle_s` (the site's reads may block up to their timeouts, so never on the
// HTTP thread); the HTTP thread serves the REST API, the status page and the WebSocket; the MQTT
// client's thread brings mode commands. One mutex guards the controller.
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/static_files.hpp"
#include "app/commands.hpp"
#include "app/secret_option.hpp"
#include "app/shutdown.hpp"
#include "core/secret.hpp"
#include "app/surplus_device_site.hpp"
#include "app/wall_clock.hpp"
#include "mqtt/mqtt_client.hpp"
#include "net/http_server.hpp"
#include "store/charging_session_store.hpp"
#include "surplus/emulated_site.hpp"
#include "surplus/mqtt_messages.hpp"
#include "surplus/surplus_controller.hpp"
#include "surplus/surplus_http.hpp"

namespace wattshare::app {
namespace {

tl::expected<std::unique_ptr<surplus::Site>, Error> open_site(const surplus::SurplusConfig& c,
                                                              const std::string& mqtt_password) {
  if (c.site.kind == surplus::SiteConfig::Kind::kEmulated) {
    return std::make_unique<surplus::EmulatedSite>(c.site, c.dimmer, wall_now);
  }
  auto site = DeviceSite::open(c, mqtt_password);
  if (!site) return tl::unexpected(site.error());
  return std::unique_ptr<surplus::Site>(std::move(*site));
}

// GET /api/sessions (the newest 200, the running one first) and /api/sessions.csv.
std::optional<HttpResponse> sessions_request(const HttpRequest& r, ChargingSessionStore& store,
                                             const surplus::SurplusController& controller) {
  const std::string path = r.target.substr(0, r.target.find('?'));
  if (path != "/api/sessions" && path != "/api/sessions.csv") return std::nullopt;
  if (r.method != "GET") {
    return HttpResponse{405, "application/json", dump_json(Json{{"error", fmt::format("{} {}: use GET", r.method, path)}}), {}};
  }
  auto sessions = store.latest(200);
  if (!sessions) return HttpResponse{500, "application/json", dump_json(Json{{"error", sessions.error().message}}), {}};
  const TimeZone& zone = controller.config().router.zone;
  if (path == "/api/sessions.csv") return HttpResponse{200, "text/csv", surplus::sessions_csv(*sessions, zone), {}};
  Json list = Json::array();
  for (const auto& s : *sessions) list.push_back(surplus::session_json(s, zone));
  const Json running = controller.status()["session"];
  return HttpResponse{200, "application/json", dump_json(Json{{"running", running}, {"sessions", std::move(list)}}), {}};
}

void store_sessions(surplus::SurplusController& controller, ChargingSessionStore& store) {
  for (const auto& s : controller.take_finished_sessions()) {
    if (auto added = store.add(s); !added) spdlog::error("{}", added.error().message);
  }
}

}  // namespace

int run_surplus_daemon(const SurplusOptions& o) {
  catch_stop_signals_early();  // a stop while starting up still stops cleanly
  auto config = o.config ? surplus::load_surplus_config(*o.config) : surplus::parse_surplus_config(Json::object(), "defaults");
  if (!config) {
    spdlog::error("{}", config.error().message);
    return 2;
  }
  if (o.http_port) config->http_port = *o.http_port;
  auto password = secret_option(config->mqtt.password_file, "mqtt.password_file");
  if (!password) {
    spdlog::error("{}", password.error().message);
    return 2;
  }
  auto site = open_site(*config, *password);
  if (!site) {
    spdlog::error("{}", site.error().message);
    return 1;
  }
  auto token = load_or_make_secret_file(o.token_file);
  if (!token) {
    spdlog::error("--token-file: {}", token.error().message);
    return 2;
  }
  const std::string sessions_file =
      o.sessions_file.value_or((std::filesystem::path(o.token_file).parent_path() / "wattshare-sessions.sqlite").string());
  auto sessions = ChargingSessionStore::open(sessions_file);
  if (!sessions) {
    spdlog::error("--sessions-file: {}", sessions.error().message);
    return 2;
  }
  const surplus::SurplusConfig& cfg = *config;
  surplus::SurplusController controller{cfg, std::move(*site)};
  std::mutex mutex;  // guards the controller and the status text
  std::string status_text = dump_json(controller.status());

  boost::asio::io_context io;
  HttpServer http{io};
  http.enable_websocket("/ws", [&] {
    std::lock_guard lock{mutex};
    return status_text;
  }, *token);
  auto port = http.listen(cfg.http_listen, static_cast<std::uint16_t>(cfg.http_port), [&](const HttpRequest& r) {
    std::unique_lock lock{mutex};
    if (auto answer = sessions_request(r, **sessions, controller)) return *answer;
    if (auto answer = surplus::handle_surplus_request(controller, r, *token)) {
      if (r.method == "POST" && answer->status == 200) {
        status_text = answer->body;
        spdlog::info("mode change from the API: {}", r.body);
        http.broadcast(status_text);
      }
      return *answer;
    }
    lock.unlock();
    const std::string path = r.target.substr(0, r.target.find('?'));
    if (auto file = serve_static(o.web_dir, path == "/" ? "/surplus.html" : path)) return *file;
    return HttpResponse{404, "application/json", R"({"error":"not found"})", {}};
  }, ListenerAccess{.callers = ListenerAccess::Callers::kOwnPages});
  if (!port) {
    spdlog::error("{}", port.error().message);
    return 1;
  }

  std::unique_ptr<MqttClient> mqtt;
  if (cfg.mqtt.enabled) {
    mqtt = std::make_unique<MqttClient>(MqttOptions{.host = cfg.mqtt.host, .port = cfg.mqtt.port,
                                                    .client_id = "wattshare-" + cfg.name, .keepalive_s = cfg.mqtt.keepalive_s,
                                                    .availability_topic = surplus::availability_topic(cfg.mqtt),
                                                    .username = cfg.mqtt.username, .password = *password,
                                                    .ca_file = cfg.mqtt.ca_file, .cert_file = cfg.mqtt.cert_file,
                                                    .key_file = cfg.mqtt.key_file});
    for (const auto& t : surplus::command_topics(cfg.mqtt)) mqtt->subscribe(t);
    auto started = mqtt->start([&](const std::string& topic, const std::string& payload) {
      auto cmd = surplus::parse_mode_command(cfg.mqtt, topic, payload);
      if (!cmd) {
        spdlog::warn("{}", cmd.error().message);
        return;
      }
      std::lock_guard lock{mutex};
      if (auto done = controller.set_mode(cmd->load, cmd->mode, cmd->duration); !done) {
        spdlog::warn("mqtt {}: {}", topic, done.error().message);
      } else {
        spdlog::info("mode change from MQTT {}: {}", topic, payload);
      }
    });
    if (!started) {
      spdlog::error("{}", started.error().message);
      return 1;
    }
  }

  fmt::print("wattshare surplus: {} ({} site) every {} s, status on http://{}:{}/#token={} (API /api/surplus, WebSocket /ws){}\n",
             cfg.name, controller.site().kind(), to_seconds(cfg.cycle), cfg.http_listen, *port, *token,
             cfg.mqtt.enabled ? fmt::format(", MQTT {}:{} under {}", cfg.mqtt.host, cfg.mqtt.port, cfg.mqtt.prefix) : "");
  std::fflush(stdout);

  std::mutex wake_mutex;
  std::condition_variable_any wake;
  std::jthread control([&](std::stop_token stop) {
    bool discovered = false;
    auto next = std::chrono::steady_clock::now();
    while (!stop.stop_requested()) {
      std::vector<std::string> events;
      Json status;
      std::string text;
      {
        std::lock_guard lock{mutex};
        events = controller.cycle();
        store_sessions(controller, **sessions);
        status = controller.status();
        text = status_text = dump_json(status);
      }
      for (const auto& e : events) spdlog::warn("{}", e);
      boost::asio::post(io, [&http, text = std::move(text)]() mutable { http.broadcast(std::move(text)); });
      if (mqtt && mqtt->connected()) {
        if (!discovered) {
          for (const auto& m : surplus::discovery_messages(cfg.mqtt, status)) mqtt->publish(m.topic, m.payload, m.retain);
          discovered = true;
        }
        for (const auto& m : surplus::state_messages(cfg.mqtt, status)) mqtt->publish(m.topic, m.payload, m.retain);
      }
      next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(cfg.cycle);
      std::unique_lock lock{wake_mutex};
      wake.wait_until(lock, stop, next, [] { return false; });
    }
  });

  run_until_signal(io, [&] {
    control.request_stop();
    control.join();
    std::lock_guard lock{mutex};
    controller.end_session();  // the car is still there: its session so far is kept
    store_sessions(controller, **sessions);
    if (mqtt) mqtt->stop();
    http.stop();
  });
  fmt::print("wattshare surplus: stopped after {} cycles\n", controller.cycles());
  return 0;
}

}  // namespace wattshare::app
