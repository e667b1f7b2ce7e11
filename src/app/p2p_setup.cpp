#include "app/p2p_setup.hpp"

namespace wattshare::app {

p2p::PairConfig pair_config(const P2pOptions& o) {
  p2p::PairConfig c;
  c.plant.r_load_ohm = o.load_ohm;
  c.plant.vh_source_v = o.vin_v;
  c.plant.dead_time_s = o.dead_time ? 100e-9 : 0;
  c.inverter.power_ref_w = static_cast<float>(o.pref_w);
  // 15 V peak whatever the input: m = 15/(2·Vin), as the original's 0.15 at 50 V.
  c.inverter.modulation = o.vac_peak_v / (2 * o.vin_v);
  c.delay_s = o.delay_us * 1e-6;
  c.duration_s = o.duration_s;
  c.rectifier.r_assumed_ohm = o.load_ohm;
  return c;
}

std::array<float, 9> scope_channels(const p2p::TickRecord& r) {
  const double m_b = r.pwm_b ? 2 * r.duty_b - 1 : 0;
  return {static_cast<float>(r.i_b), static_cast<float>(-r.i_b),
          static_cast<float>(r.vh_b / 2 + r.v_d / 2), static_cast<float>(r.vh_b / 2 - r.v_d / 2),
          static_cast<float>(r.vh_b), static_cast<float>(-m_b * r.i_b),
          static_cast<float>(r.i_ref_a), static_cast<float>(r.v_dc_ref_v),
          static_cast<float>(r.duty_b)};
}

p2p::ScopeRecorder rectifier_scope() {
  return p2p::ScopeRecorder(1024, {"I1_low", "I2_low", "V1_low", "V2_low", "V_high", "I_high",
                                   "Iac_ref", "Vdc_ref", "duty_cycle"},
                            4);
}

}  // namespace wattshare::app
