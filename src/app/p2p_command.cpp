// `wattshare p2p`: the inverter + synchronous rectifier pair on the averaged AC-link model, in
// virtual time; prints the steady state of the last 0.2 s, optionally records the scope, plots
// the waveforms and writes the ngspice netlist of the same run.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/commands.hpp"
#include "app/p2p_setup.hpp"
#include "core/json_file.hpp"
#include "p2p/pair_simulation.hpp"
#include "p2p/scope.hpp"
#include "p2p/steady_state.hpp"
#include "p2p/svg_plot.hpp"
#include "physics/ac_link_spice.hpp"

namespace wattshare::app {
namespace {

constexpr double kSteadyWindowS = 0.2;

bool write_file(const std::string& path, const std::string& text, const char* option) {
  std::ofstream f(path, std::ios::trunc | std::ios::binary);
  f << text;
  if (!f) spdlog::error("{}: cannot write {}", option, path);
  return static_cast<bool>(f);
}

}  // namespace

int run_p2p(const P2pOptions& o) {
  auto sim = p2p::PairSimulation::make(pair_config(o));
  if (!sim) {
    spdlog::error("{}", sim.error().message);
    return 1;
  }
  p2p::ScopeRecorder scope = rectifier_scope();
  const auto wall_start = std::chrono::steady_clock::now();
  sim->run([&](const p2p::TickRecord& r) {
    if (o.record.empty()) return;
    const bool trigger = o.trigger_at_s ? r.t_s >= *o.trigger_at_s : sim->rectifier().record_start_seen();
    const auto values = scope_channels(r);
    scope.acquire(values, trigger);
  });
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

  const auto& records = sim->records();
  const p2p::SteadyState s = p2p::steady_state(records, kSteadyWindowS, o.load_ohm);
  if (!o.record.empty() && !write_file(o.record, scope.dump(), "--record")) return 1;
  if (!o.plot.empty() && !write_file(o.plot, p2p::plot_svg(records, 0.06, o.load_ohm), "--plot")) return 1;
  if (!o.spice.empty()) {
    const p2p::DutySequences duties = p2p::open_loop_duties(records);
    const std::filesystem::path netlist{o.spice};
    std::string duty_name = netlist.filename().string() + ".duties";
    std::transform(duty_name.begin(), duty_name.end(), duty_name.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    const physics::SpiceRun run{.tick_s = sim->config().rectifier.ts_s, .delay_s = sim->config().delay_s,
                                .step_s = sim->config().step_s, .stop_s = o.duration_s,
                                .duty_file = duty_name, .output_file = o.spice + ".out"};
    const std::string duty_path = (netlist.parent_path() / duty_name).string();
    if (!write_file(duty_path, physics::ac_link_duty_table(duties.inverter, duties.rectifier, run), "--spice") ||
        !write_file(o.spice, physics::ac_link_netlist(sim->config().plant, run), "--spice")) {
      return 1;
    }
  }

  Json out;
  out["vdc_mean_v"] = s.vdc_mean_v;
  out["vdc_ripple_pp_v"] = s.vdc_ripple_pp_v;
  out["p_load_w"] = s.p_load_w;
  out["idc_a"] = s.idc_a;
  out["vac_peak_v"] = s.vac_peak_v;
  out["vac_fundamental_v"] = s.vac_fundamental_v;
  out["iac_peak_a"] = s.iac_peak_a;
  out["iac_fundamental_a"] = s.iac_fundamental_a;
  out["g_s"] = s.g_s;
  out["phase_deg"] = s.phase_deg;
  out["phase_fundamental_deg"] = s.phase_fundamental_deg;
  out["inverter_phase_deg"] = s.inverter_phase_deg;
  out["corr_v_i"] = s.corr_v_i;
  out["duty_min"] = s.duty_min;
  out["duty_max"] = s.duty_max;
  out["duty_saturated_ticks"] = s.duty_saturated_ticks;
  out["thd_percent"] = s.thd_percent;
  out["state"] = s.state;
  out["trip"] = std::string(p2p::to_string(sim->rectifier().trip()));
  out["inverter_state"] = std::string(p2p::to_string(sim->inverter().state()));
  out["inverter_trip"] = std::string(p2p::to_string(sim->inverter().trip()));
  out["frames_ok"] = sim->rectifier().frames_ok();
  out["frames_bad"] = sim->rectifier().frames_bad();
  out["simulated_s"] = o.duration_s;
  out["wall_s"] = wall_s;
  if (o.json) {
    fmt::print("{}\n", out.dump());
    return 0;
  }
  fmt::print("p2p pair: P_ref {} W, load {} Ω, Vin {} V, {} s{}, δ = {} µs — steady state over the last {} s\n",
             o.pref_w, o.load_ohm, o.vin_v, o.duration_s, o.dead_time ? ", dead time 100 ns" : "",
             o.delay_us, kSteadyWindowS);
  for (const auto& [key, value] : out.items()) {
    if (value.is_number_float()) fmt::print("  {:<22} {:>10.4f}\n", key, value.get<double>());
    else fmt::print("  {:<22} {:>10}\n", key, value.is_string() ? value.get<std::string>() : value.dump());
  }
  return 0;
}

int run_scope_to_csv(const std::string& path, const std::string& output) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    spdlog::error("scope-to-csv: cannot read {}", path);
    return 1;
  }
  std::stringstream text;
  text << f.rdbuf();
  auto record = p2p::parse_scope_dump(text.str());
  if (!record) {
    spdlog::error("{}: {}", path, record.error().message);
    return 1;
  }
  const std::string csv = p2p::to_csv(*record);
  if (output.empty()) {
    fmt::print("{}", csv);
    return 0;
  }
  return write_file(output, csv, "--output") ? 0 : 1;
}

}  // namespace wattshare::app
