// Averaged model of two TWIST boards exchanging power over an AC link (reference
// p2p-ac-control.md §5): an inverter H-bridge fed by a stiff DC source, a synchronous-rectifier
// H-bridge feeding its bus capacitor and load, each bridge behind 2L and 2R, the link
// capacitance (ceramic plus an electrolytic branch with its series resistance) between them.
// Differential mode only: the two power grounds float, so the common mode is not excited.
//
// States: i_a (inverter I1_low), i_b (rectifier I1_low; both positive from the switch node
// towards the link), v_d = V1 − V2 (the AC voltage), v_el (electrolytic branch), vh_b (rectifier
// bus). Bridge voltage (2d − 1)·VH, minus 2·k_dt·VH·sgn(i) with the dead-time term. A stopped
// rectifier bridge is its body-diode bridge: it blocks until |v_d| exceeds the bus, then opposes
// the current with ∓VH. The rectifier bridge conserves power: its bus current is −(v_br/VH)·i_b.
// Fixed-step RK4; h ≤ 1 µs (the fastest mode, the link LC, is 2.5 kHz).
#pragma once

#include <span>
#include <vector>

namespace wattshare::physics {

struct AcLinkParams {
  double l_per_leg_h = 33e-6;
  double r_per_leg_ohm = 0.04;    // inductor DCR + MOSFET RDS(on)
  double c_ceramic_f = 14.1e-6;   // 3 × 4.7 µF
  double c_electrolytic_f = 47e-6;
  double r_electrolytic_ohm = 0.6;  // ESR 0.35 + disconnect MOSFET 0.25
  double c_bus_f = 188.4e-6;        // rectifier high side
  double r_load_ohm = 115;
  double vh_source_v = 50;          // inverter high side, stiff
  double dead_time_s = 0;           // 100e-9 on TWIST; 0: ideal switches
  double f_switching_hz = 200e3;

  double dead_time_fraction() const { return dead_time_s * f_switching_hz; }  // k_dt
};

struct AcLinkState {
  double i_a = 0;
  double i_b = 0;
  double v_d = 0;
  double v_el = 0;
  double vh_b = 0;
};

// What each bridge is told for the next step: a duty and whether its PWM runs.
struct BridgeCommand {
  double duty = 0.5;
  bool running = false;
};

class AcLink {
 public:
  explicit AcLink(const AcLinkParams& p, AcLinkState initial = {});

  // Advances by h seconds with both commands held (zero-order hold).
  void step(double h_s, BridgeCommand inverter, BridgeCommand rectifier);
  // One control period of `steps` steps of h: the commands in force (`inverter`, `rectifier`)
  // hold until step `delay_steps`, where `next_*` load and then stay in force; a delay of a whole
  // period loads them at its end. The computational delay between sampling and duty update.
  void run_period(double h_s, int steps, int delay_steps, BridgeCommand& inverter,
                  BridgeCommand& rectifier, BridgeCommand next_inverter, BridgeCommand next_rectifier);

  const AcLinkState& state() const { return s_; }
  AcLinkState& state() { return s_; }
  const AcLinkParams& params() const { return p_; }

  double load_power_w() const { return s_.vh_b * s_.vh_b / p_.r_load_ohm; }
  double load_current_a() const { return s_.vh_b / p_.r_load_ohm; }

 private:
  AcLinkState derivative(const AcLinkState& x, BridgeCommand a, BridgeCommand b) const;
  void step_diode_rectifier(double h_s, BridgeCommand inverter);

  AcLinkParams p_;
  AcLinkState s_;
  double inv_2l_ = 0;
};

// Drives the link open loop with one duty per control tick for each bridge (both running), each
// loaded `delay_s` after its tick, integrating at `step_s`; returns the state at every tick.
// The same timing as the closed-loop pair, for cross-checks against a circuit simulator.
std::vector<AcLinkState> run_open_loop(const AcLinkParams& p, std::span<const double> duty_a,
                                       std::span<const double> duty_b, double tick_s,
                                       double delay_s, double step_s);

}  // namespace wattshare::physics
