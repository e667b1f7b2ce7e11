// The client: a synchronous rectifier that draws its AC current in phase opposition with the
// AC voltage (reference §2.4). Every 100 µs tick, in POWER:
//   v_dc_ref = √(P_ref·R_assumed)            P_ref from the last valid frame
//   g        = PI(v_dc_ref, V_high)          conductance, Kp 0.01, Ti 0.1, [−2, 2] S, reset 0.2
//   i_ref    = −g·Vac                        phase opposition from the measured voltage
//   u        = PR(i_ref, I1_low)             Kp 0.2, Kr 3000, ω0 = 2π·50, ±50 V
//   duty     = 0.5 + (Vac + u)/(2·max(V_high, 10)), clamped to [0.1, 0.9]
// The feed-forward divides by the measured bus voltage (the original V0, reference §0.3).
// States: IDLE ⇄ POWER on the frame's status, and ERROR (added): over-current, bus over-voltage,
// or no valid frame for `frame_timeout_ticks` while running. ERROR stops the PWM at zero duty and
// holds until the inverter sends a stop frame. Bad frames are counted and change nothing.
#pragma once

#include <cstdint>
#include <span>

#include <tl/expected.hpp>

#include "control/pid.hpp"
#include "control/pr.hpp"
#include "core/error.hpp"
#include "p2p/frame.hpp"
#include "p2p/protection.hpp"

namespace wattshare::p2p {

struct RectifierConfig {
  double ts_s = 100e-6;
  double r_assumed_ohm = 115;
  control::PidParams pi{.ts_s = 100e-6, .kp = 0.01, .ti_s = 0.1, .lower = -2, .upper = 2};
  double pi_reset_s = 0.2;  // g at start
  control::PrParams pr{.ts_s = 100e-6, .kp = 0.2, .kr = 3000, .w0_rad_s = 314.159265358979,
                       .lower = -50, .upper = 50};
  double duty_min = 0.1, duty_max = 0.9;
  double v_high_floor_v = 10;  // protects the feed-forward division
  double trip_current_a = 7;   // TWIST Core safety default
  double trip_bus_v = 80;
  int trip_ticks = 3;
  int frame_timeout_ticks = 10;  // 1 ms without a valid frame while running
};

struct RectifierMeasurements {
  double v_ac_v = 0;    // V1_low − V2_low
  double i_ac_a = 0;    // I1_low
  double v_high_v = 0;  // bus
};

struct RectifierOutput {
  double duty = 0;
  bool pwm_on = false;
  bool saturated = false;  // the duty clamp was active
  double g_s = 0;
  double i_ref_a = 0;
  double v_dc_ref_v = 0;
};

class Rectifier {
 public:
  static tl::expected<Rectifier, Error> make(const RectifierConfig& c);

  // A frame from the link (the reception interrupt): stored for the next tick if valid.
  void receive(std::span<const std::uint8_t> bytes);
  RectifierOutput tick(const RectifierMeasurements& m);

  ConverterState state() const { return state_; }
  Trip trip() const { return trip_; }
  float power_ref_w() const { return power_ref_w_; }
  std::uint64_t frames_ok() const { return frames_ok_; }
  std::uint64_t frames_bad() const { return frames_bad_; }
  bool record_start_seen() const { return record_start_; }

 private:
  Rectifier(const RectifierConfig& c, control::Pid pi, control::Pr pr);
  void enter_error(Trip t);

  RectifierConfig c_;
  control::Pid pi_;
  control::Pr pr_;
  Limit current_limit_;
  Limit voltage_limit_;
  ConverterState state_ = ConverterState::kIdle;
  Trip trip_ = Trip::kNone;
  LinkStatus last_status_ = LinkStatus::kStop;
  bool fresh_frame_ = false;
  bool record_start_ = false;
  float power_ref_w_ = 0;
  double v_dc_ref_v_ = 0;  // √(P_ref·R), recomputed only when P_ref changes
  int ticks_without_frame_ = 0;
  std::uint64_t frames_ok_ = 0, frames_bad_ = 0;
};

}  // namespace wattshare::p2p
