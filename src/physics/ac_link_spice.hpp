// The averaged AC-link circuit of ac_link.hpp as an ngspice netlist, driven open loop by given
// duty sequences (one per control tick, loaded `delay_s` after each tick), so that a reference
// circuit simulator can check the model. Both bridges run from t = 0 with ideal switches
// (behavioural sources: (2d − 1)·VH for each bridge, −(2d_b − 1)·i_b into the rectifier bus).
// The duties come from a table file read by XSPICE's `filesource` as a staircase (a PWL source
// with one breakpoint pair per tick makes ngspice quadratic in the number of ticks). The run
// writes v(vd), i(vsb) (= i_b), v(vh) and i(vsa) (= i_a) every tick_s to output_file.
#pragma once

#include <span>
#include <string>

#include "physics/ac_link.hpp"

namespace wattshare::physics {

struct SpiceRun {
  double tick_s = 100e-6;
  double delay_s = 0;
  double step_s = 0.5e-6;  // ngspice's maximum step
  double stop_s = 0.1;
  // Read by ngspice relative to the netlist's folder; ngspice lowercases model parameters, so
  // this is a lowercase file name, not a path.
  std::string duty_file = "ac_link.duties";
  std::string output_file = "ac_link.out";
};

std::string ac_link_netlist(const AcLinkParams& p, const SpiceRun& run);
// The duty table for `duty_file`: "time d_a d_b" per tick (times tick·k + δ).
std::string ac_link_duty_table(std::span<const double> duty_a, std::span<const double> duty_b,
                               const SpiceRun& run);

}  // namespace wattshare::physics
