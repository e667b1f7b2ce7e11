// The averaged AC-link circuit of ac_link.hpp as an ngspice netlist, driven open loop by given
// duty sequences (one per control tick, loaded `delay_s` after each tick), so that a reference
// circuit simulator can check the model. Both bridges run from t = 0 with ideal switches
// (behavioural sources: (2d − 1)·VH for each bridge, −(2d_b − 1)·i_b into the rectifier bus).
// The run writes v(vd), i(vsb) (= i_b), v(vh) and i(vsa) (= i_a) every tick_s to output_file.
#pragma once

#include <span>
#include <string>

#include "physics/ac_link.hpp"

namespace wattshare::physics {

struct SpiceRun {
  double tick_s = 100e-6;
  double delay_s = 0;
  double step_s = 0.5e-6;  // ngspice's maximum step
  std::string output_file = "ac_link.out";
};

std::string ac_link_netlist(const AcLinkParams& p, std::span<const double> duty_a,
                            std::span<const double> duty_b, const SpiceRun& run);

}  // namespace wattshare::physics
