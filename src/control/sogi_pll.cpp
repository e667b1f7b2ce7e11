#include "control/sogi_pll.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace wattshare::control {

namespace {
constexpr double kTwoPi = 2 * std::numbers::pi;
}

double wrap_2pi(double x) {
  const double y = x - kTwoPi * std::floor(x / kTwoPi);
  return y >= kTwoPi ? 0 : y;  // floor rounding can land exactly on 2π
}

tl::expected<SogiPll, Error> SogiPll::make(const SogiPllParams& p) {
  if (!(p.ts_s > 0) || !(p.f_nominal_hz > 0) || !(p.sogi_gain > 0) || !(p.settling_s > 0) ||
      !(p.f_deviation_hz > 0)) {
    return tl::unexpected(Error::invalid_config(
        "SOGI-PLL: Ts, nominal frequency, SOGI gain, settling time and frequency bound must be > 0"));
  }
  constexpr double kXi = 0.7;
  const double wn = 4.6 / (kXi * p.settling_s);
  // Small-signal loop on the normalised error: θ̇ = ω_nom + PI(θv − θ) → ωn² = Ki, 2ξωn = Kp.
  const double kp = 2 * kXi * wn;
  auto pi = Pid::make({.ts_s = p.ts_s, .kp = kp, .ti_s = kp / (wn * wn),
                       .lower = -kTwoPi * p.f_deviation_hz, .upper = kTwoPi * p.f_deviation_hz});
  if (!pi) return tl::unexpected(pi.error());
  return SogiPll(p, *pi);
}

SogiPll::SogiPll(const SogiPllParams& p, Pid pi) : p_(p), pi_(pi) {
  w_nominal_ = kTwoPi * p.f_nominal_hz;
  reset();
}

void SogiPll::reset() {
  pi_.reset(0);
  alpha_ = beta_ = v_previous_ = theta_ = 0;
  omega_ = w_nominal_;
}

double SogiPll::update(double v) {
  // Trapezoidal step of x' = A·x + B·v with A = ω·[[−k, −1], [1, 0]], B = ω·[k, 0]:
  // (I − hA/2)·x⁺ = (I + hA/2)·x + h·B·(v + v⁻)/2.
  const double w = omega_, k = p_.sogi_gain, h2 = p_.ts_s * w / 2;
  const double rhs_a = (1 - h2 * k) * alpha_ - h2 * beta_ + h2 * k * (v + v_previous_);
  const double rhs_b = h2 * alpha_ + beta_;
  // M = [[1 + h2·k, h2], [−h2, 1]]
  const double det = (1 + h2 * k) + h2 * h2;
  alpha_ = (rhs_a - h2 * rhs_b) / det;
  beta_ = (h2 * rhs_a + (1 + h2 * k) * rhs_b) / det;
  v_previous_ = v;

  const double amplitude = std::max(this->amplitude(), 1e-9);
  const double q = (-alpha_ * std::sin(theta_) + beta_ * std::cos(theta_)) / amplitude;
  omega_ = w_nominal_ + pi_.update(q, 0);
  theta_ = wrap_2pi(theta_ + omega_ * p_.ts_s);
  return theta_;
}

double SogiPll::frequency_hz() const { return omega_ / kTwoPi; }
double SogiPll::amplitude() const { return std::hypot(alpha_, beta_); }

}  // namespace wattshare::control
