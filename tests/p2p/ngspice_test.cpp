// Cross-check of the averaged AC-link model against ngspice solving the same circuit, both
// driven open loop by the duty sequences of a closed-loop run (reference §5).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "p2p/pair_simulation.hpp"
#include "physics/ac_link_spice.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace wattshare::p2p {
namespace {

struct SpiceTrace {
  std::vector<double> t, v_d, i_b, vh_b, i_a;
};

// wrdata with wr_singlescale and wr_vecnames: a header line, then "time v(vd) i(vsb) v(vh) i(vsa)".
SpiceTrace read_wrdata(const std::string& path) {
  SpiceTrace s;
  std::ifstream f(path);
  std::string line;
  std::getline(f, line);
  while (std::getline(f, line)) {
    std::istringstream row(line);
    double t, a, b, c, d;
    if (row >> t >> a >> b >> c >> d) {
      s.t.push_back(t);
      s.v_d.push_back(a);
      s.i_b.push_back(b);
      s.vh_b.push_back(c);
      s.i_a.push_back(d);
    }
  }
  return s;
}

// RMS of (ours − spice) relative to the RMS of the spice signal, over ticks from `first`.
template <typename Ours>
double relative_rms_error(const std::vector<physics::AcLinkState>& ours, Ours get,
                          const std::vector<double>& spice, std::size_t first) {
  double err = 0, ref = 0;
  for (std::size_t k = first; k < ours.size() && k < spice.size(); ++k) {
    err += std::pow(get(ours[k]) - spice[k], 2);
    ref += spice[k] * spice[k];
  }
  return std::sqrt(err / ref);
}

TEST(AcLinkVsNgspice, WaveformsAgreeWithin1PercentRmsAfterStartUp) {
  PairConfig c;
  c.duration_s = 0.3;
  auto sim = PairSimulation::make(c);
  ASSERT_TRUE(sim);
  sim->run();
  const DutySequences duties = open_loop_duties(sim->records());
  const double tick = c.rectifier.ts_s;
  const auto ours = physics::run_open_loop(c.plant, duties.inverter, duties.rectifier, tick, c.delay_s, c.step_s);

  const test::TempDir temp;
  const std::filesystem::path dir = temp.path();
  const physics::SpiceRun run{.tick_s = tick, .delay_s = c.delay_s, .step_s = c.step_s,
                              .stop_s = c.duration_s, .duty_file = "duties.txt",
                              .output_file = (dir / "ac_link.out").string()};
  const std::string netlist = (dir / "ac_link.cir").string();
  std::ofstream(netlist) << physics::ac_link_netlist(c.plant, run);
  std::ofstream(dir / run.duty_file) << physics::ac_link_duty_table(duties.inverter, duties.rectifier, run);
  const auto r = test::run_command({"/usr/bin/ngspice", "-b", "-o", (dir / "ngspice.log").string(), netlist},
                                   std::chrono::minutes(5));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const SpiceTrace spice = read_wrdata(run.output_file);
  ASSERT_GE(spice.t.size(), ours.size()) << "ngspice wrote " << spice.t.size() << " points";
  EXPECT_NEAR(spice.t[1000], 1000 * tick, 1e-9);

  const std::size_t after_start_up = 1000;  // 0.1 s
  const double e_vd = relative_rms_error(ours, [](auto& x) { return x.v_d; }, spice.v_d, after_start_up);
  const double e_ib = relative_rms_error(ours, [](auto& x) { return x.i_b; }, spice.i_b, after_start_up);
  const double e_ia = relative_rms_error(ours, [](auto& x) { return x.i_a; }, spice.i_a, after_start_up);
  const double e_vh = relative_rms_error(ours, [](auto& x) { return x.vh_b; }, spice.vh_b, after_start_up);
  EXPECT_LT(e_vd, 0.01);
  EXPECT_LT(e_ib, 0.01);
  EXPECT_LT(e_ia, 0.01);
  EXPECT_LT(e_vh, 0.01);
  // Not a trivially quiet circuit: the bus is up and the current swings.
  EXPECT_GT(ours.back().vh_b, 40);
  RecordProperty("rms_error_v_d", std::to_string(e_vd));
  std::printf("relative RMS error: v_d %.2e, i_b %.2e, i_a %.2e, vh_b %.2e\n", e_vd, e_ib, e_ia, e_vh);
}

}  // namespace
}  // namespace wattshare::p2p
