#include "p2p/rectifier.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace wattshare::p2p {

tl::expected<Rectifier, Error> Rectifier::make(const RectifierConfig& c) {
  auto pi = control::Pid::make(c.pi);
  if (!pi) return tl::unexpected(pi.error());
  auto pr = control::Pr::make(c.pr);
  if (!pr) return tl::unexpected(pr.error());
  if (!(c.duty_min < c.duty_max) || c.frame_timeout_ticks < 1 || c.trip_ticks < 1 ||
      !(c.r_assumed_ohm > 0)) {
    return tl::unexpected(Error::invalid_config(
        "rectifier: need duty_min < duty_max, R_assumed > 0, and timeouts of at least one tick"));
  }
  return Rectifier(c, *pi, *pr);
}

Rectifier::Rectifier(const RectifierConfig& c, control::Pid pi, control::Pr pr)
    : c_(c), pi_(pi), pr_(pr), current_limit_{c.trip_current_a, c.trip_ticks},
      voltage_limit_{c.trip_bus_v, c.trip_ticks} {}

void Rectifier::receive(std::span<const std::uint8_t> bytes) {
  auto f = decode(bytes);
  if (!f) {
    ++frames_bad_;
    return;
  }
  ++frames_ok_;
  fresh_frame_ = true;
  last_status_ = f->status;
  if (f->power_ref_w != power_ref_w_) {
    power_ref_w_ = f->power_ref_w;
    v_dc_ref_v_ = std::sqrt(double{power_ref_w_} * c_.r_assumed_ohm);
  }
  if (f->status == LinkStatus::kRunRecordStart) record_start_ = true;
}

void Rectifier::enter_error(Trip t) {
  state_ = ConverterState::kError;
  trip_ = t;
}

RectifierOutput Rectifier::tick(const RectifierMeasurements& m) {
  const bool fresh = std::exchange(fresh_frame_, false);
  ticks_without_frame_ = fresh ? 0 : ticks_without_frame_ + 1;
  const bool run = last_status_ != LinkStatus::kStop;

  switch (state_) {
    case ConverterState::kError:
      if (fresh && !run) {  // the inverter stopped: the fault is acknowledged
        state_ = ConverterState::kIdle;
        trip_ = Trip::kNone;
      }
      break;
    case ConverterState::kIdle:
      if (fresh && run) {
        state_ = ConverterState::kPower;
        pi_.reset(c_.pi_reset_s);
        pr_.reset();
        current_limit_.count = voltage_limit_.count = 0;
      }
      break;
    case ConverterState::kPower:
      if (!run) state_ = ConverterState::kIdle;
      else if (ticks_without_frame_ >= c_.frame_timeout_ticks) enter_error(Trip::kFrameTimeout);
      break;
  }
  if (state_ == ConverterState::kPower) {
    if (current_limit_.exceeded(m.i_ac_a)) enter_error(Trip::kOverCurrent);
    else if (voltage_limit_.exceeded(m.v_high_v)) enter_error(Trip::kBusOverVoltage);
  }
  if (state_ != ConverterState::kPower) return {};

  RectifierOutput out;
  out.pwm_on = true;
  out.v_dc_ref_v = v_dc_ref_v_;
  out.g_s = pi_.update(out.v_dc_ref_v, m.v_high_v);
  out.i_ref_a = -out.g_s * m.v_ac_v;
  const double u = pr_.update(out.i_ref_a, m.i_ac_a);
  const double raw = 0.5 + (m.v_ac_v + u) / (2 * std::max(m.v_high_v, c_.v_high_floor_v));
  out.duty = std::clamp(raw, c_.duty_min, c_.duty_max);
  out.saturated = out.duty != raw;
  return out;
}

}  // namespace wattshare::p2p
