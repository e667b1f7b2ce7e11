// What a converter looks like to the DC bus: the current it injects into its node as a
// function of the node voltage, c(V) = clamp((e - V) / r, lo, hi), lo <= 0 <= hi. Positive c
// feeds the bus (discharging). Every APIS mode fits this one shape:
//   wait:      inactive (c = 0)
//   CV:        e = reference, r = droop resistance, lo/hi = -/+ current limit
//   CC out:    e = dvg (voltage ceiling), lo = 0, hi = current
//   CC in:     e = under-voltage limit, lo = -current, hi = 0 (stops drawing when V < e)
#pragma once

namespace wattshare {

struct PortModel {
  bool active = false;
  double e_v = 0;
  double r_ohm = 1;
  double lo_a = 0;
  double hi_a = 0;

  [[nodiscard]] double current_a(double v) const {
    if (!active) return 0;
    const double c = (e_v - v) / r_ohm;
    return c < lo_a ? lo_a : (c > hi_a ? hi_a : c);
  }
};

}  // namespace wattshare
