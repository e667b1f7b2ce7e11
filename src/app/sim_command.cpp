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
#include "config/community_growth.hpp"
#include "core/apis_time.hpp"
#include "core/json_file.hpp"
#include "core/sim_scheduler.hpp"
#include "devices/emulated/community.hpp"
#include "devices/emulated/house_profiles.hpp"
#include "engine/config_reloader.hpp"
#include "engine/sharing_engine.hpp"

#include <fstream>

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

// "E003=stop": the unit's local mode (null: follow the global mode).
tl::expected<void, Error> apply_local_mode(SharingEngine& engine, const std::string& entry) {
  const auto eq = entry.find('=');
  if (eq == std::string::npos) return tl::unexpected(Error::bad_input("expected ID=MODE"));
  const std::string id = entry.substr(0, eq), value = entry.substr(eq + 1);
  std::optional<OperationMode> m;
  if (value != "null") {
    auto parsed = parse_operation_mode(value);
    if (!parsed) return tl::unexpected(parsed.error());
    m = *parsed;
  }
  UnitAgent* agent = engine.fabric().agent(id);
  if (agent == nullptr) return tl::unexpected(Error::bad_input("no unit '" + id + "' in the community"));
  return agent->set_local_mode(m);
}

}  // namespace

int run_sim(const SimOptions& o) {
  auto spec = load_community_with(o.config, o.start, o.seed);
  if (!spec) {
    spdlog::error("{}", spec.error().message);
    return 1;
  }
  if (o.units) grow_community(*spec, *o.units);
  auto mode = parse_operation_mode(o.mode);
  if (!mode) {
    spdlog::error("--mode: {}", mode.error().message);
    return 1;
  }
  std::ofstream deal_log;
  if (!o.deal_log.empty()) {
    deal_log.open(o.deal_log, std::ios::trunc);
    if (!deal_log) {
      spdlog::error("--deal-log: cannot write {}", o.deal_log);
      return 1;
    }
  }
  Community community{*spec};
  if (o.flexible_loads) community.set_flexible_policy(flexible_policy_named(*o.flexible_loads).value_or(FlexiblePolicy::kOff));
  SimScheduler scheduler{spec->start};
  const TimePoint end = spec->start + from_seconds(o.days * 86400.0);
  const Duration offset = from_seconds(spec->location.utc_offset_h * 3600.0);
  std::unique_ptr<SharingEngine> engine;
  if (!o.no_sharing) {
    AgentHooks hooks;
    if (o.verbose) {
      hooks.event = [&](const std::string& unit, const std::string& what) {
        spdlog::info("{} {} {}", format_apis_time(scheduler.now(), offset), unit, what);
      };
      hooks.error = [&](const ApisError& e) {
        spdlog::warn("{} {}", format_apis_time(scheduler.now(), offset), format_apis_error(e));
      };
    }
    engine = std::make_unique<SharingEngine>(community, scheduler, *spec, hooks);
    if (deal_log.is_open())
      engine->on_deal_log([&](const Deal& d) { deal_log << dump_json(deal_json(d, offset)) << '\n'; });
    engine->start(*mode);
    for (const std::string& entry : o.local_modes) {
      if (auto r = apply_local_mode(*engine, entry); !r) {
        spdlog::error("--local-mode {}: {}", entry, r.error().message);
        engine->shutdown();
        return 1;
      }
    }
  }

  // ScenarioKeeping and its kin: an edit of a unit's files takes effect while the simulation
  // runs. Community time runs far faster than the files can change, so they are looked at once
  // a community minute, and at most once per wall second.
  std::vector<std::unique_ptr<ConfigReloader>> reloaders;
  if (engine) reloaders = make_config_reloaders(*engine, scheduler, *spec);
  auto last_look = std::chrono::steady_clock::now();
  if (!reloaders.empty()) {
    scheduler.every(minutes(1), [&] {
      const auto now = std::chrono::steady_clock::now();
      if (now - last_look < std::chrono::seconds(1)) return;
      last_look = now;
      for (auto& r : reloaders) r->check_all();
    });
  }

  const bool progress = isatty(STDERR_FILENO) != 0;
  // The physics also advances on its own between events (the only event without sharing).
  const TimerId progress_timer = scheduler.every(hours(24), [&] {
    community.advance_to(scheduler.now());
    if (progress) draw_progress(to_seconds(scheduler.now() - spec->start) / (o.days * 86400.0));
  });
  const auto wall_start = std::chrono::steady_clock::now();
  scheduler.run_until(end);
  community.advance_to(end);
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  if (progress) std::fprintf(stderr, "\r%60s\r", "");
  scheduler.cancel(progress_timer);

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
  out["flexible_policy"] = std::string(name_of(community.flexible_policy()));
  out["heater_wh"] = t.heater_wh;
  out["heater_solar_share"] = t.heater_wh > 0 ? t.heater_solar_wh / t.heater_wh : 0.0;
  out["ev_wh"] = t.ev_wh;
  out["ev_solar_share"] = t.ev_wh > 0 ? t.ev_solar_wh / t.ev_wh : 0.0;
  out["ev_shortfall_wh"] = t.ev_shortfall_wh;
  out["losses_wh"] = t.losses_wh();
  out["battery_loss_wh"] = t.battery_loss_wh;
  out["converter_loss_wh"] = t.converter_loss_wh;
  out["system_loss_wh"] = t.system_loss_wh;
  out["bus_loss_wh"] = t.bus_loss_wh;
  out["stored_change_wh"] = t.stored_now_wh - t.stored_start_wh;
  out["shared_wh"] = t.shared_wh;
  // The load includes the flexible loads' (none: the house load alone, as before).
  const double all_load_wh = t.load_wh + t.heater_wh + t.ev_wh;
  out["self_sufficiency"] = all_load_wh > 0 ? 1.0 - t.import_wh / all_load_wh : 0.0;
  out["energy_balance_error_wh"] = t.balance_error_wh();
  out["sharing"] = engine != nullptr;
  const PooledBounds bounds = pooled_bounds(*spec, spec->start, end);
  out["pooled_bound_self_sufficiency"] = bounds.lossless;
  out["pooled_hardware_bound_self_sufficiency"] = bounds.hardware;
  if (engine) {
    engine->shutdown(&scheduler);  // after the totals: draining moves virtual time on
    const EngineStats& st = engine->stats();
    const auto& inv = engine->invariants();
    out["deals_created"] = st.deals_created;
    out["deals_completed"] = st.deals_completed;
    out["deals_aborted"] = st.deals_aborted;
    out["deals_scrammed"] = st.deals_scrammed;
    out["max_concurrent_deals"] = inv.max_concurrent_deals();
    out["max_sum_deal_current_a"] = inv.max_sum_deal_current_a();
    out["invariant_violations"] = inv.count();
    Json list = Json::array();
    for (const auto& v : inv.violations())
      list.push_back(Json{{"time", format_apis_time(v.time, offset)}, {"what", v.what}});
    out["invariant_violation_list"] = std::move(list);
  }
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
  fmt::print("  {:<18} {:>14.4f}\n", "pooled bound", out["pooled_bound_self_sufficiency"].get<double>());
  fmt::print("  {:<18} {:>14.4f}\n", "  on this hardware",
             out["pooled_hardware_bound_self_sufficiency"].get<double>());
  if (engine)
    fmt::print("  {:<18} {:>14}\n  {:<18} {:>14}\n  {:<18} {:>14}\n", "deals completed",
               out["deals_completed"].get<std::uint64_t>(), "deals aborted",
               out["deals_aborted"].get<std::uint64_t>(), "invariant violations",
               out["invariant_violations"].get<std::uint64_t>());
  fmt::print("  {:<18} {:>14.3g}\n", "balance error Wh", t.balance_error_wh());
  fmt::print("  {:<18} {:>14.0f}x ({:.2f} s wall)\n", "speedup", out["speedup"].get<double>(), wall_s);
  return 0;
}

}  // namespace wattshare::app
