// First-order low-pass filter y = b1·x − a1·y_prev, the control_library's discretisation
// (reference §1.6): a1 = −(1 − Ts/τ + (Ts/τ)²/2), the second-order series of −e^(−Ts/τ),
// b1 = 1 + a1 (unit DC gain).
#pragma once

#include <tl/expected.hpp>

#include "core/error.hpp"

namespace wattshare::control {

class LowPass {
 public:
  // Refuses Ts ≤ 0 and τ ≤ 0 (the library turns τ ≤ 0 into a pass-through and flags it).
  static tl::expected<LowPass, Error> make(double ts_s, double tau_s);

  double update(double x) {
    y_ = b1_ * x - a1_ * y_;
    return y_;
  }
  void reset(double y = 0) { y_ = y; }
  double output() const { return y_; }

 private:
  LowPass(double a1) : a1_(a1), b1_(1 + a1) {}

  double a1_;
  double b1_;
  double y_ = 0;
};

}  // namespace wattshare::control
