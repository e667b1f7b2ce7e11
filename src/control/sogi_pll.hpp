// Single-phase PLL built on a second-order generalised integrator (SOGI-PLL), for a rectifier
// that must lock onto a measured AC voltage instead of receiving the angle.
//
// The SOGI turns v = V̂·cos(θv) into an in-phase α ≈ V̂·cos θv and a quadrature β ≈ V̂·sin θv:
//   dα/dt = ω·(k·(v − α) − β),  dβ/dt = ω·α
// discretised with the trapezoidal rule (exact for the oscillator's energy, so the quadrature
// neither grows nor decays numerically at ω·Ts ≈ 0.03). The Park q component
// q = −α·sin θ + β·cos θ = V̂·sin(θv − θ) drives a PI on the normalised error q/V̂ whose output
// is the frequency deviation; θ integrates ω. Locked: θ = θv, so cos θ is in phase with v.
// The library's PllSinus (§1.6) multiplies cos θ̂ by the signal and so carries a 2ω ripple in its
// error; the SOGI removes it, which is why this one is preferred.
#pragma once

#include <tl/expected.hpp>

#include "control/pid.hpp"
#include "core/error.hpp"

namespace wattshare::control {

struct SogiPllParams {
  double ts_s = 1e-4;
  double f_nominal_hz = 50;
  double sogi_gain = 1.41;    // k: √2 gives a well-damped SOGI
  double settling_s = 0.05;   // PI tuned for ξ = 0.7 and ωn = 4.6/(ξ·settling)
  double f_deviation_hz = 10; // bound on |f − f_nominal|
};

class SogiPll {
 public:
  static tl::expected<SogiPll, Error> make(const SogiPllParams& p);

  // One sample of the measured voltage; returns the estimated angle θ in [0, 2π).
  double update(double v);
  void reset();

  double angle_rad() const { return theta_; }
  double omega_rad_s() const { return omega_; }
  double frequency_hz() const;
  double amplitude() const;  // √(α² + β²)
  double alpha() const { return alpha_; }
  double beta() const { return beta_; }

 private:
  SogiPll(const SogiPllParams& p, Pid pi);

  SogiPllParams p_;
  Pid pi_;
  double w_nominal_ = 0;
  double alpha_ = 0, beta_ = 0;
  double v_previous_ = 0;
  double theta_ = 0;
  double omega_ = 0;
};

// x − 2π·⌊x/2π⌋: an angle brought into [0, 2π).
double wrap_2pi(double x);

}  // namespace wattshare::control
