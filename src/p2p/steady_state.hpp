// Steady-state figures of a run over its last window (0.2 s = ten 50 Hz periods, a whole number
// so that the Fourier sums are exact): means and extremes of the bus, fundamental amplitudes and
// phase from one-bin DFTs, the Pearson correlation of v_d and i_b, and the rectifier current's
// THD over harmonics 2–40.
#pragma once

#include <span>
#include <string>

#include "p2p/pair_simulation.hpp"

namespace wattshare::p2p {

struct SteadyState {
  double vdc_mean_v = 0;
  double vdc_ripple_pp_v = 0;
  double p_load_w = 0;
  double idc_a = 0;
  double vac_peak_v = 0;  // largest |v_d|, as an oscilloscope reads it
  double vac_fundamental_v = 0;
  double iac_peak_a = 0;  // largest |i_b|
  double iac_fundamental_a = 0;
  double g_s = 0;         // mean conductance
  // i_b against v_d from their zero crossings, in [0, 360): 180 is phase opposition. The
  // crossings, not the fundamentals: i_ref = −g·v_d crosses zero exactly with v_d whatever g
  // does, while the 100 Hz ripple of g (reference §2.10, 5) skews i_b's fundamental by a few
  // degrees, which phase_fundamental_deg shows.
  double phase_deg = 0;
  double phase_fundamental_deg = 0;
  double inverter_phase_deg = 0;  // i_a's fundamental against v_d's
  double corr_v_i = 0;
  double duty_min = 0, duty_max = 0;
  int duty_saturated_ticks = 0;
  double thd_percent = 0;
  std::string state;      // the rectifier's at the end
};

// `records` are per tick; `r_load_ohm` turns the bus voltage into power; f0 is the AC frequency.
SteadyState steady_state(std::span<const TickRecord> records, double window_s, double r_load_ohm,
                         double f0_hz = 50);

}  // namespace wattshare::p2p
