#include "control/low_pass.hpp"

#include <fmt/format.h>

namespace wattshare::control {

tl::expected<LowPass, Error> LowPass::make(double ts_s, double tau_s) {
  if (!(ts_s > 0) || !(tau_s > 0)) {
    return tl::unexpected(Error::invalid_config(
        fmt::format("low-pass: Ts = {} s and tau = {} s must both be > 0", ts_s, tau_s)));
  }
  const double x = ts_s / tau_s;
  return LowPass(-(1 - x + x * x / 2));
}

}  // namespace wattshare::control
