#include "physics/ac_link_spice.hpp"

#include <fmt/format.h>

namespace wattshare::physics {

namespace {

// A piecewise-linear voltage holding d[k] from tick k + δ, with 1 ns edges.
std::string duty_source(const char* name, const char* node, std::span<const double> d,
                        const SpiceRun& run) {
  std::string s = fmt::format("{} {} 0 PWL(0 {:.9g}", name, node, 0.5);
  double previous = 0.5;
  for (std::size_t k = 0; k < d.size(); ++k) {
    const double t = static_cast<double>(k) * run.tick_s + run.delay_s;
    if (d[k] == previous) continue;
    s += fmt::format("\n+ {:.9g} {:.9g} {:.9g} {:.9g}", t, previous, t + 1e-9, d[k]);
    previous = d[k];
  }
  return s + ")\n";
}

}  // namespace

std::string ac_link_netlist(const AcLinkParams& p, std::span<const double> duty_a,
                            std::span<const double> duty_b, const SpiceRun& run) {
  const double stop = static_cast<double>(std::min(duty_a.size(), duty_b.size())) * run.tick_s;
  std::string n = "* wattshare averaged AC link (inverter + synchronous rectifier), open loop\n";
  n += fmt::format(
      "Bbra na 0 V = (2*v(da)-1)*{vin}\n"
      "La na nai {l2:.9g}\nRa nai nsa {r2:.9g}\nVsa nsa vd 0\n"
      "Ccer vd 0 {ccer:.9g}\nRel vd nel {rel:.9g}\nCel nel 0 {cel:.9g}\n"
      "Bbrb nb 0 V = (2*v(db)-1)*v(vh)\n"
      "Lb nb nbi {l2:.9g}\nRb nbi nsb {r2:.9g}\nVsb nsb vd 0\n"
      "Bbus 0 vh I = -(2*v(db)-1)*i(Vsb)\n"
      "Ch vh 0 {ch:.9g}\nRload vh 0 {rl:.9g}\n",
      fmt::arg("vin", p.vh_source_v), fmt::arg("l2", 2 * p.l_per_leg_h),
      fmt::arg("r2", 2 * p.r_per_leg_ohm), fmt::arg("ccer", p.c_ceramic_f),
      fmt::arg("rel", p.r_electrolytic_ohm), fmt::arg("cel", p.c_electrolytic_f),
      fmt::arg("ch", p.c_bus_f), fmt::arg("rl", p.r_load_ohm));
  n += duty_source("Vda", "da", duty_a, run);
  n += duty_source("Vdb", "db", duty_b, run);
  n += fmt::format(
      ".options reltol=1e-6 abstol=1e-12 vntol=1e-9\n"
      ".tran {tick:.9g} {stop:.9g} 0 {step:.9g} uic\n"
      ".control\nset wr_singlescale\nset wr_vecnames\nrun\n"
      "linearize v(vd) i(vsb) v(vh) i(vsa)\n"
      "wrdata {out} v(vd) i(vsb) v(vh) i(vsa)\nquit\n.endc\n.end\n",
      fmt::arg("tick", run.tick_s), fmt::arg("step", run.step_s), fmt::arg("stop", stop), fmt::arg("out", run.output_file));
  return n;
}

}  // namespace wattshare::physics
