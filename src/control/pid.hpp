// PID in standard (ISA) form with a filtered derivative and back-calculation anti-windup, as in
// OwnTech's control_library (reference p2p-ac-control.md §1.3):
//   u = Kp·(e + e/(Ti·s) + Td·s·e/(1 + (Td/N)·s)),  e = reference − measurement.
// The integral is updated before the output (backward Euler); when the output saturates, the
// integral is set back so that the unsaturated output would equal the bound. With Td = 0 it is
// the PI the rectifier's DC-voltage loop uses. Pure, allocation-free.
#pragma once

#include <tl/expected.hpp>

#include "core/error.hpp"

namespace wattshare::control {

struct PidParams {
  double ts_s = 0;  // sampling period
  double kp = 0;
  double ti_s = 0;  // integral time (Ki = Kp/Ti)
  double td_s = 0;  // derivative time; 0: PI
  double n = 0;     // derivative filter: τ = Td/N (0: no filter)
  double lower = 0;
  double upper = 0;
};

class Pid {
 public:
  // Refuses Ts ≤ 0, Kp = 0, Ti = 0, Td or N < 0, lower > upper (the library's -EINVAL cases).
  static tl::expected<Pid, Error> make(const PidParams& p);

  // One sample: returns the saturated output.
  double update(double reference, double measurement);
  // Bumpless start: with zero error the next output is `output` (the library's reset(out0)).
  void reset(double output = 0);
  // Takes effect only if lower < upper, as in the library.
  void set_bounds(double lower, double upper);

  double output() const { return output_; }
  const PidParams& params() const { return p_; }

 private:
  explicit Pid(const PidParams& p);

  PidParams p_;
  double b1_ = 0, a1_ = 0;  // derivative filter coefficients
  double integral_ = 0;
  double previous_error_ = 0;
  double previous_derivative_ = 0;
  double output_ = 0;
};

}  // namespace wattshare::control
