#include "physics/ac_link.hpp"

#include <algorithm>
#include <cmath>

namespace wattshare::physics {

namespace {

double sign(double x) { return (x > 0) - (x < 0); }

AcLinkState add(const AcLinkState& x, const AcLinkState& k, double h) {
  return {x.i_a + h * k.i_a, x.i_b + h * k.i_b, x.v_d + h * k.v_d, x.v_el + h * k.v_el,
          x.vh_b + h * k.vh_b};
}

}  // namespace

AcLink::AcLink(const AcLinkParams& p, AcLinkState initial)
    : p_(p), s_(initial), inv_2l_(1 / (2 * p.l_per_leg_h)) {}

AcLinkState AcLink::derivative(const AcLinkState& x, BridgeCommand a, BridgeCommand b) const {
  const double k_dt = p_.dead_time_fraction();
  const double m_a = (2 * a.duty - 1) - 2 * k_dt * sign(x.i_a);
  // Stopped, the rectifier is its body-diode bridge: it opposes the current with the full bus.
  const double m_b = b.running ? (2 * b.duty - 1) - 2 * k_dt * sign(x.i_b) : -sign(x.i_b);
  const double i_el = (x.v_d - x.v_el) / p_.r_electrolytic_ohm;
  AcLinkState d;
  // Stopped, the inverter's diodes face the stiff source, far above the link voltage: no current.
  d.i_a = a.running ? (m_a * p_.vh_source_v - 2 * p_.r_per_leg_ohm * x.i_a - x.v_d) * inv_2l_ : 0;
  d.i_b = (m_b * x.vh_b - 2 * p_.r_per_leg_ohm * x.i_b - x.v_d) * inv_2l_;
  d.v_d = (x.i_a + x.i_b - i_el) / p_.c_ceramic_f;
  d.v_el = i_el / p_.c_electrolytic_f;
  d.vh_b = (-m_b * x.i_b - x.vh_b / p_.r_load_ohm) / p_.c_bus_f;
  return d;
}

void AcLink::step(double h, BridgeCommand inverter, BridgeCommand rectifier) {
  if (!inverter.running) s_.i_a = 0;
  if (!rectifier.running) return step_diode_rectifier(h, inverter);
  const AcLinkState k1 = derivative(s_, inverter, rectifier);
  const AcLinkState k2 = derivative(add(s_, k1, h / 2), inverter, rectifier);
  const AcLinkState k3 = derivative(add(s_, k2, h / 2), inverter, rectifier);
  const AcLinkState k4 = derivative(add(s_, k3, h), inverter, rectifier);
  s_.i_a += h / 6 * (k1.i_a + 2 * k2.i_a + 2 * k3.i_a + k4.i_a);
  s_.i_b += h / 6 * (k1.i_b + 2 * k2.i_b + 2 * k3.i_b + k4.i_b);
  s_.v_d += h / 6 * (k1.v_d + 2 * k2.v_d + 2 * k3.v_d + k4.v_d);
  s_.v_el += h / 6 * (k1.v_el + 2 * k2.v_el + 2 * k3.v_el + k4.v_el);
  s_.vh_b += h / 6 * (k1.vh_b + 2 * k2.vh_b + 2 * k3.vh_b + k4.vh_b);
}

void AcLink::run_period(double h, int steps, int delay_steps, BridgeCommand& inverter,
                        BridgeCommand& rectifier, BridgeCommand next_inverter,
                        BridgeCommand next_rectifier) {
  for (int k = 0; k < steps; ++k) {
    if (k == delay_steps) {
      inverter = next_inverter;
      rectifier = next_rectifier;
    }
    step(h, inverter, rectifier);
  }
  if (delay_steps >= steps) {
    inverter = next_inverter;
    rectifier = next_rectifier;
  }
}

// The diodes switch on and off inside a step, which RK4 would smear across the discontinuity:
// one explicit step instead, the current held at zero while the bridge blocks and clamped at
// its zero crossing (diodes do not conduct backwards). Only start-up and stops run this.
void AcLink::step_diode_rectifier(double h, BridgeCommand inverter) {
  const BridgeCommand stopped{0.5, false};
  const bool blocking = s_.i_b == 0 && std::abs(s_.v_d) <= s_.vh_b;
  if (s_.i_b == 0 && !blocking) s_.i_b = -sign(s_.v_d) * 1e-12;  // starts conducting
  const double before = s_.i_b;
  AcLinkState d = derivative(s_, inverter, stopped);
  if (blocking) d.i_b = 0;
  s_ = add(s_, d, h);
  if (before * s_.i_b < 0) s_.i_b = 0;
}

std::vector<AcLinkState> run_open_loop(const AcLinkParams& p, std::span<const double> duty_a,
                                       std::span<const double> duty_b, double tick_s,
                                       double delay_s, double step_s) {
  AcLink link(p);
  const auto steps = static_cast<int>(std::lround(tick_s / step_s));
  const auto delay_steps = static_cast<int>(std::lround(delay_s / step_s));
  const std::size_t ticks = std::min(duty_a.size(), duty_b.size());
  std::vector<AcLinkState> out;
  out.reserve(ticks);
  BridgeCommand a{0.5, true}, b{0.5, true};
  for (std::size_t k = 0; k < ticks; ++k) {
    out.push_back(link.state());
    link.run_period(step_s, steps, delay_steps, a, b, {duty_a[k], true}, {duty_b[k], true});
  }
  return out;
}

}  // namespace wattshare::physics
