#include "physics/ac_link_spice.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace wattshare::physics {

std::string ac_link_duty_table(std::span<const double> duty_a, std::span<const double> duty_b,
                               const SpiceRun& run) {
  std::string t = "0 0.5 0.5\n";
  for (std::size_t k = 0; k < std::min(duty_a.size(), duty_b.size()); ++k) {
    const double time = static_cast<double>(k) * run.tick_s + run.delay_s;
    if (time > 0) t += fmt::format("{:.9g} {:.17g} {:.17g}\n", time, duty_a[k], duty_b[k]);
    else t = fmt::format("0 {:.17g} {:.17g}\n", duty_a[k], duty_b[k]);
  }
  return t;
}

std::string ac_link_netlist(const AcLinkParams& p, const SpiceRun& run) {
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
  n += fmt::format(
      "Adut %vd([da 0 db 0]) duties\n"
      ".model duties filesource (file=\"{}\" amploffset=[0 0] amplscale=[1 1] timeoffset=0 "
      "timescale=1 timerelative=false amplstep=true)\n"
      "Rda da 0 1e6\nRdb db 0 1e6\n",
      run.duty_file);
  n += fmt::format(
      ".options reltol=1e-6 abstol=1e-12 vntol=1e-9\n"
      ".tran {tick:.9g} {stop:.9g} 0 {step:.9g} uic\n"
      ".control\nset wr_singlescale\nset wr_vecnames\nrun\n"
      "linearize v(vd) i(vsb) v(vh) i(vsa)\n"
      "wrdata {out} v(vd) i(vsb) v(vh) i(vsa)\nquit\n.endc\n.end\n",
      fmt::arg("tick", run.tick_s), fmt::arg("step", run.step_s), fmt::arg("stop", run.stop_s), fmt::arg("out", run.output_file));
  return n;
}

}  // namespace wattshare::physics
