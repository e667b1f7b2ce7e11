// How a resistive-load dimmer turns a 0–100 % command into mains half-cycles (reference
// pv-surplus.md §3): phase angle fires the triac a delay after each zero crossing (xlyric's SSR
// "random" mode), burst fire passes whole cycles only (Mk2, xlyric's zero-cross SSR: no harmonics).
// Unlike xlyric, which maps the percentage linearly to the delay, the delay here is solved so that
// the element's *power* is the commanded share: P(α)/P = 1 − α/π + sin 2α / 2π. Burst fire is a
// first-order sigma-delta over whole cycles (Mk2's energy bucket): the on-cycles are spread as
// evenly as they can be and their long-run share is exactly the command, with no fixed window.
//   PhaseAngleFiring f = phase_angle_firing(37.5, 50);  // f.delay, f.power_share
//   BurstFire burst;  bool on = burst.next_cycle(37.5);
#pragma once

#include <string_view>

#include "core/time.hpp"

namespace wattshare::surplus {

enum class DimmerOutput { kPhaseAngle, kBurstFire };
std::string_view to_string(DimmerOutput o);

// The share of full power (0–1) a firing angle α (radians after the zero crossing) delivers.
double phase_angle_power_share(double alpha_rad);

struct PhaseAngleFiring {
  double alpha_rad = 0;          // firing angle after the zero crossing, 0..π
  double delay_us = 0;           // the same as a delay at `mains_hz`, rounded to the timer tick
  double power_share = 0;        // what that rounded delay delivers, 0–1
};
// The firing for `pct` percent of full power, with the delay rounded to `tick_us` (a timer's
// resolution). 0 % never fires (delay = half-cycle), 100 % fires at the crossing.
PhaseAngleFiring phase_angle_firing(double pct, double mains_hz, double tick_us = 10);

class BurstFire {
 public:
  // Whether the next whole mains cycle conducts, for a command of `pct` percent.
  bool next_cycle(double pct);
  // The share of the cycles passed so far that conducted.
  [[nodiscard]] double delivered_share() const { return cycles_ ? static_cast<double>(on_) / cycles_ : 0.0; }

 private:
  double bucket_ = 0;
  long long cycles_ = 0, on_ = 0;
};

}  // namespace wattshare::surplus
