// The server: an open-loop inverter. Every 100 µs tick it advances θ by ω0·Ts, sets the duty
// 0.5 + m·sin θ on both legs (bipolar H-bridge: ±2m·VH peak) and sends the rectifier a frame
// with the power reference: status 2 on the first tick of a run, 1 afterwards, 0 once on stop
// (reference §2.4, §2.6). Added to the original: an over-current trip into ERROR, which stops
// the bridge and tells the rectifier to stop; `stop()` acknowledges it.
#pragma once

#include <optional>

#include "p2p/frame.hpp"
#include "p2p/protection.hpp"

namespace wattshare::p2p {

struct InverterConfig {
  double ts_s = 100e-6;
  double f0_hz = 50;
  double modulation = 0.15;  // duty = 0.5 + m·sin θ; 0.15 at 50 V gives 15 V peak
  float power_ref_w = 19;
  double duty_min = 0.1, duty_max = 0.9;
  double trip_current_a = 7;
  int trip_ticks = 3;
};

struct InverterOutput {
  double duty = 0.5;
  bool pwm_on = false;
  std::optional<FrameBytes> frame;  // sent this tick
};

class Inverter {
 public:
  explicit Inverter(const InverterConfig& c);

  void start();  // the console's `p`
  void stop();   // the console's `i`; also leaves ERROR
  void set_power_ref(float w) { c_.power_ref_w = w; }

  InverterOutput tick(double i_ac_a);

  ConverterState state() const { return state_; }
  Trip trip() const { return trip_; }
  double angle_rad() const { return theta_; }

 private:
  Frame next_frame(LinkStatus s);

  InverterConfig c_;
  ConverterState state_ = ConverterState::kIdle;
  Trip trip_ = Trip::kNone;
  Limit current_limit_;
  bool pwm_on_ = false;
  bool first_power_tick_ = true;
  double theta_ = 0;
  double dtheta_ = 0;
  std::uint8_t sequence_ = 0;
};

}  // namespace wattshare::p2p
