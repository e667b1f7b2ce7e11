#include "control/pid.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace wattshare::control {

tl::expected<Pid, Error> Pid::make(const PidParams& p) {
  auto bad = [](std::string what) { return tl::unexpected(Error::invalid_config("PID: " + what)); };
  if (!(p.ts_s > 0)) return bad(fmt::format("sampling period {} s must be > 0", p.ts_s));
  if (p.kp == 0) return bad("Kp must not be 0");
  if (p.ti_s == 0) return bad("Ti must not be 0");
  if (p.td_s < 0 || p.n < 0) return bad("Td and N must be >= 0");
  if (p.lower > p.upper) return bad(fmt::format("lower bound {} > upper bound {}", p.lower, p.upper));
  return Pid(p);
}

Pid::Pid(const PidParams& p) : p_(p) {
  const double tau = p.n > 0 ? p.td_s / p.n : 0;
  b1_ = p.ts_s / (p.ts_s + tau);
  a1_ = -tau / (p.ts_s + tau);
}

double Pid::update(double reference, double measurement) {
  const double e = reference - measurement;
  integral_ += p_.ts_s * e;
  const double derivative = (e - previous_error_) / p_.ts_s;
  const double filtered = b1_ * derivative - a1_ * previous_derivative_;
  const double raw = p_.kp * (e + integral_ / p_.ti_s + p_.td_s * filtered);
  output_ = std::clamp(raw, p_.lower, p_.upper);
  if (output_ != raw) integral_ = p_.ti_s * (output_ / p_.kp - e - p_.td_s * filtered);
  previous_error_ = e;
  previous_derivative_ = filtered;
  return output_;
}

void Pid::reset(double output) {
  integral_ = p_.ti_s * output / p_.kp;
  output_ = 0;
  previous_error_ = 0;
  previous_derivative_ = 0;
}

void Pid::set_bounds(double lower, double upper) {
  if (lower < upper) {
    p_.lower = lower;
    p_.upper = upper;
  }
}

}  // namespace wattshare::control
