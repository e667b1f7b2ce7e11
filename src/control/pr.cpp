#include "control/pr.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace wattshare::control {

tl::expected<Pr, Error> Pr::make(const PrParams& p) {
  auto bad = [](std::string what) { return tl::unexpected(Error::invalid_config("PR: " + what)); };
  if (!(p.ts_s > 0)) return bad(fmt::format("sampling period {} s must be > 0", p.ts_s));
  if (p.kr == 0) return bad("Kr must not be 0");
  if (p.upper < p.lower) return bad(fmt::format("upper bound {} < lower bound {}", p.upper, p.lower));
  return Pr(p);
}

Pr::Pr(const PrParams& p) : p_(p) {
  b0_ = p.ts_s * std::cos(p.phi_prime_rad);
  set_w0(p.w0_rad_s);
}

void Pr::set_w0(double w0_rad_s) {
  p_.w0_rad_s = w0_rad_s;
  b1_ = -p_.ts_s * std::cos(p_.phi_prime_rad - w0_rad_s * p_.ts_s);
  a1_ = -2 * std::cos(w0_rad_s * p_.ts_s);
}

double Pr::update(double reference, double measurement) {
  const double e = reference - measurement;
  double r = b0_ * e + b1_ * e1_ - a1_ * r1_ - r2_;
  const double raw = p_.kp * e + p_.kr * r;
  output_ = std::clamp(raw, p_.lower, p_.upper);
  if (output_ != raw) r = (output_ - p_.kp * e) / p_.kr;
  e1_ = e;
  r2_ = r1_;
  r1_ = r;
  return output_;
}

void Pr::reset() { e1_ = r1_ = r2_ = output_ = 0; }

}  // namespace wattshare::control
