// `wattshare emulator`: the emulated community in accelerated real time behind APIS's
// device-driver HTTP protocol.
#include <cstdio>

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/commands.hpp"
#include "app/community_loader.hpp"
#include "app/scheduler_acceleration.hpp"
#include "app/shutdown.hpp"
#include "config/community.hpp"
#include "core/apis_time.hpp"
#include "devices/apis_http/driver_server.hpp"
#include "devices/emulated/community.hpp"
#include "net/asio_scheduler.hpp"
#include "net/http_server.hpp"

namespace wattshare::app {

int run_emulator(const EmulatorOptions& o) {
  auto spec = load_community_with(o.config, o.start, std::nullopt);
  if (!spec) {
    spdlog::error("{}", spec.error().message);
    return 1;
  }
  boost::asio::io_context io;
  Community community{*spec};
  AsioScheduler scheduler{io, spec->start, o.acceleration};
  SchedulerAcceleration control{scheduler};
  DriverServer server{community, [&] { community.advance_to(scheduler.now()); }, &control};
  // Keep the physics moving between requests.
  scheduler.every(seconds(10), [&] { community.advance_to(scheduler.now()); });

  HttpServer http{io};
  auto port = http.listen(o.host, static_cast<std::uint16_t>(o.port),
                          [&](const HttpRequest& r) { return server.handle(r); });
  if (!port) {
    spdlog::error("{}", port.error().message);
    return 1;
  }
  fmt::print("wattshare emulator: {} units from {}, listening on http://{}:{} (acceleration {}x)\n",
             community.size(), spec->source_path, o.host, *port, o.acceleration);
  if (o.driver_port_base > 0) {
    for (std::size_t i = 0; i < community.size(); ++i) {
      const auto p = static_cast<std::uint16_t>(o.driver_port_base + static_cast<int>(i));
      auto bound = http.listen(o.host, p, [&server, i](const HttpRequest& r) {
        return server.handle_unit(r, i);
      });
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
