// `wattshare emulator`: the emulated community in accelerated real time behind APIS's
// device-driver HTTP protocol.
#include <cstdio>

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/commands.hpp"
#include "app/community_loader.hpp"
#include "app/device_watchdog.hpp"
#include "app/scheduler_acceleration.hpp"
#include "app/secret_option.hpp"
#include "app/shutdown.hpp"
#include "config/community.hpp"
#include "core/apis_time.hpp"
#include "devices/apis_http/driver_server.hpp"
#include "devices/emulated/community.hpp"
#include "net/asio_scheduler.hpp"
#include "net/http_server.hpp"

namespace wattshare::app {

int run_emulator(const EmulatorOptions& o) {
  catch_stop_signals_early();  // a stop while starting up still stops cleanly
  auto spec = load_community_with(o.config, o.start, std::nullopt);
  if (!spec) {
    spdlog::error("{}", spec.error().message);
    return 1;
  }
  boost::asio::io_context io;
  Community community{*spec};
  AsioScheduler scheduler{io, spec->start, o.acceleration};
  DeviceWatchdog watchdog{community, o.watchdog_s ? from_seconds(*o.watchdog_s) : DeviceWatchdog::default_bound(*spec)};
  watchdog.apply(o.acceleration);
  SchedulerAcceleration control{scheduler, [&](double factor) { watchdog.apply(factor); }};
  DriverServer server{community, [&] { community.advance_to(scheduler.now()); }, &control};
  // Keep the physics moving between requests.
  scheduler.every(seconds(10), [&] { community.advance_to(scheduler.now()); });

  // Programs only (apis-main, wattshare node), never a web page; the token when one is given.
  auto token = secret_option(o.token_file, "--token-file");
  if (!token) {
    spdlog::error("{}", token.error().message);
    return 1;
  }
  const ListenerAccess access{.token = *token};
  HttpServer http{io};
  auto port = http.listen(o.host, static_cast<std::uint16_t>(o.port),
                          [&](const HttpRequest& r) { return server.handle(r); }, access);
  if (!port) {
    spdlog::error("{}", port.error().message);
    return 1;
  }
  fmt::print("wattshare emulator: {} units from {}, listening on http://{}:{} (acceleration {}x, {})\n",
             community.size(), spec->source_path, o.host, *port, o.acceleration,
             community.host_watchdog() > Duration::zero()
                 ? fmt::format("Waiting after {:.1f} s without a request", to_seconds(community.host_watchdog()))
                 : std::string("no node-silence watchdog"));
  if (o.driver_port_base > 0) {
    for (std::size_t i = 0; i < community.size(); ++i) {
      const auto p = static_cast<std::uint16_t>(o.driver_port_base + static_cast<int>(i));
      auto bound = http.listen(o.host, p, [&server, i](const HttpRequest& r) {
        return server.handle_unit(r, i);
      }, access);
      if (!bound) {
        spdlog::error("{}", bound.error().message);
        return 1;
      }
      fmt::print("  {} dcdc_batt_comm API on http://{}:{}\n", community.unit_id(i), o.host, *bound);
    }
  }
  std::fflush(stdout);

  run_until_signal(io, [&] { http.stop(); });
  fmt::print("wattshare emulator: stopped at {}\n",
             format_apis_time(scheduler.now(), from_seconds(spec->location.utc_offset_h * 3600)));
  return 0;
}

}  // namespace wattshare::app
