#include "surplus/dimmer_output.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace wattshare::surplus {

std::string_view to_string(DimmerOutput o) {
  return o == DimmerOutput::kBurstFire ? "burst_fire" : "phase_angle";
}

double phase_angle_power_share(double alpha_rad) {
  const double a = std::clamp(alpha_rad, 0.0, std::numbers::pi);
  return std::clamp(1 - a / std::numbers::pi + std::sin(2 * a) / (2 * std::numbers::pi), 0.0, 1.0);
}

PhaseAngleFiring phase_angle_firing(double pct, double mains_hz, double tick_us) {
  const double share = std::clamp(pct, 0.0, 100.0) / 100;
  // The share falls monotonically with α: bisection converges without derivative trouble at the ends.
  double lo = 0, hi = std::numbers::pi;
  for (int i = 0; i < 60; ++i) {
    const double mid = (lo + hi) / 2;
    (phase_angle_power_share(mid) > share ? lo : hi) = mid;
  }
  const double half_cycle_us = 1e6 / (2 * mains_hz);
  PhaseAngleFiring f;
  f.delay_us = std::round((lo + hi) / 2 / std::numbers::pi * half_cycle_us / tick_us) * tick_us;
  f.alpha_rad = f.delay_us / half_cycle_us * std::numbers::pi;
  f.power_share = phase_angle_power_share(f.alpha_rad);
  return f;
}

bool BurstFire::next_cycle(double pct) {
  bucket_ += std::clamp(pct, 0.0, 100.0) / 100;
  const bool on = bucket_ >= 0.5;  // centred: a 50 % command alternates from the first cycle
  if (on) bucket_ -= 1;
  ++cycles_;
  on_ += on;
  return on;
}

}  // namespace wattshare::surplus
