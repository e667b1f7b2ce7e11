// `wattshare sim`: a community in virtual time, as fast as the machine goes.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/commands.hpp"
#include "app/community_loader.hpp"
#include "config/community.hpp"
#include "core/apis_time.hpp"
#include "core/json_file.hpp"
#include "core/sim_scheduler.hpp"
#include "devices/emulated/community.hpp"

namespace wattshare::app {
namespace {

void draw_progress(double fraction) {
  const int width = 40;
  const int filled = static_cast<int>(fraction * width);
  std::fprintf(stderr, "\r[%s%s] %3d%%", std::string(static_cast<std::size_t>(filled), '#').c_str(),
               std::string(static_cast<std::size_t>(width - filled), ' ').c_str(),
               static_cast<int>(fraction * 100));
  std::fflush(stderr);
}

}  // namespace

int run_sim(const SimOptions& o) {
  auto spec = load_community_with(o.config, o.start, o.seed);
  if (!spec) {
    spdlog::error("{}", spec.error().message);
    return 1;
  }
  Community community{*spec};
  SimScheduler scheduler{spec->start};
  const TimePoint end = spec->start + from_seconds(o.days * 86400.0);

  const bool progress = isatty(STDERR_FILENO) != 0;
  // The physics advances on its own between events; without the sharing engine the only event
  // is the daily progress tick.
  scheduler.every(hours(24), [&] {
    community.advance_to(scheduler.now());
    if (progress) draw_progress(to_seconds(scheduler.now() - spec->start) / (o.days * 86400.0));
  });
  const auto wall_start = std::chrono::steady_clock::now();
  scheduler.run_until(end);
  community.advance_to(end);
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  if (progress) std::fprintf(stderr, "\r%60s\r", "");

  const EnergyTotals t = community.totals();
  const double simulated_s = to_seconds(end - spec->start);
  Json out;
  out["units"] = community.size();
  out["days"] = o.days;
  out["seed"] = spec->seed;
  out["start"] = format_apis_time(spec->start, from_seconds(spec->location.utc_offset_h * 3600));
  out["pv_wh"] = t.pv_wh;
  out["load_wh"] = t.load_wh;
  out["grid_import_wh"] = t.import_wh;
  out["grid_export_wh"] = t.export_wh;
  out["curtailed_wh"] = t.curtailed_wh;
  out["losses_wh"] = t.losses_wh();
  out["battery_loss_wh"] = t.battery_loss_wh;
  out["converter_loss_wh"] = t.converter_loss_wh;
  out["system_loss_wh"] = t.system_loss_wh;
  out["bus_loss_wh"] = t.bus_loss_wh;
  out["stored_change_wh"] = t.stored_now_wh - t.stored_start_wh;
  out["shared_wh"] = t.shared_wh;
  out["self_sufficiency"] = t.load_wh > 0 ? 1.0 - t.import_wh / t.load_wh : 0.0;
  out["energy_balance_error_wh"] = t.balance_error_wh();
  out["wall_s"] = wall_s;
  out["speedup"] = wall_s > 0 ? simulated_s / wall_s : 0.0;
  if (o.json) {
    fmt::print("{}\n", out.dump());
    return 0;
  }
  fmt::print("{} units, {} days from {}\n", community.size(), o.days, out["start"].get<std::string>());
  for (const char* key : {"pv_wh", "load_wh", "grid_import_wh", "grid_export_wh", "curtailed_wh",
                          "losses_wh", "shared_wh", "stored_change_wh"})
    fmt::print("  {:<18} {:>14.1f}\n", key, out[key].get<double>());
  fmt::print("  {:<18} {:>14.4f}\n", "self_sufficiency", out["self_sufficiency"].get<double>());
  fmt::print("  {:<18} {:>14.3g}\n", "balance error Wh", t.balance_error_wh());
  fmt::print("  {:<18} {:>14.0f}x ({:.2f} s wall)\n", "speedup", out["speedup"].get<double>(), wall_s);
  return 0;
}

}  // namespace wattshare::app
