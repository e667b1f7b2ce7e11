// Proportional-resonant controller C(z) = Kp + Kr·R(z), with R the impulse-invariant
// discretisation of s/(s² + ω0²) with delay compensation φ' (Yepes), exactly as OwnTech's
// control_library (reference §1.4):
//   r[n] = Ts·cos φ'·e[n] − Ts·cos(φ' − ω0·Ts)·e[n−1] + 2·cos(ω0·Ts)·r[n−1] − r[n−2]
//   u = sat(Kp·e[n] + Kr·r[n]); on saturation r[n] ← (u − Kp·e[n])/Kr (anti-windup).
// Infinite gain at ω0: it tracks a sinusoidal reference at ω0 with zero steady-state error.
#pragma once

#include <tl/expected.hpp>

#include "core/error.hpp"

namespace wattshare::control {

struct PrParams {
  double ts_s = 0;
  double kp = 0;
  double kr = 0;
  double w0_rad_s = 0;
  double phi_prime_rad = 0;  // delay compensation
  double lower = 0;
  double upper = 0;
};

class Pr {
 public:
  // Refuses Kr = 0, Ts ≤ 0 and upper < lower.
  static tl::expected<Pr, Error> make(const PrParams& p);

  double update(double reference, double measurement);
  void reset();
  // Retunes the resonance (e.g. from a PLL) without touching the history.
  void set_w0(double w0_rad_s);

  double output() const { return output_; }
  const PrParams& params() const { return p_; }

 private:
  explicit Pr(const PrParams& p);

  PrParams p_;
  double b0_ = 0, b1_ = 0, a1_ = 0;  // r[n] = b0·e[n] + b1·e[n−1] − a1·r[n−1] − r[n−2]
  double e1_ = 0;                    // e[n−1]
  double r1_ = 0, r2_ = 0;           // r[n−1], r[n−2]
  double output_ = 0;
};

}  // namespace wattshare::control
