#include "p2p/inverter.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "control/sogi_pll.hpp"

namespace wattshare::p2p {

Inverter::Inverter(const InverterConfig& c)
    : c_(c), current_limit_{c.trip_current_a, c.trip_ticks},
      dtheta_(2 * std::numbers::pi * c.f0_hz * c.ts_s) {}

void Inverter::start() {
  if (state_ == ConverterState::kIdle) {
    state_ = ConverterState::kPower;
    first_power_tick_ = true;
  }
}

void Inverter::stop() {
  if (state_ == ConverterState::kError) trip_ = Trip::kNone;
  state_ = ConverterState::kIdle;
}

Frame Inverter::next_frame(LinkStatus s) { return Frame{c_.power_ref_w, s, sequence_++}; }

InverterOutput Inverter::tick(double i_ac_a) {
  if (state_ == ConverterState::kPower && current_limit_.exceeded(i_ac_a)) {
    state_ = ConverterState::kError;
    trip_ = Trip::kOverCurrent;
  }
  InverterOutput out;
  if (state_ != ConverterState::kPower) {
    if (pwm_on_) {  // the transition: stop the legs and tell the rectifier once
      pwm_on_ = false;
      out.frame = encode(next_frame(LinkStatus::kStop));
    }
    current_limit_.count = 0;
    return out;
  }
  theta_ = control::wrap_2pi(theta_ + dtheta_);  // not reset between runs, as the original
  out.duty = std::clamp(0.5 + c_.modulation * std::sin(theta_), c_.duty_min, c_.duty_max);
  out.pwm_on = pwm_on_ = true;
  out.frame = encode(next_frame(first_power_tick_ ? LinkStatus::kRunRecordStart : LinkStatus::kRun));
  first_power_tick_ = false;
  return out;
}

}  // namespace wattshare::p2p
