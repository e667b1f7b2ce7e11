#include "p2p/steady_state.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

namespace wattshare::p2p {

namespace {

// The h-th harmonic of x over the window, as a complex amplitude (peak, phase of a cosine).
template <typename Get>
std::complex<double> harmonic(std::span<const TickRecord> w, Get get, int h, double f0, double t0) {
  std::complex<double> sum = 0;
  for (const TickRecord& r : w) {
    sum += get(r) * std::polar(1.0, -2 * std::numbers::pi * h * f0 * (r.t_s - t0));
  }
  return sum * (2.0 / static_cast<double>(w.size()));
}

double wrap_degrees(double d) {
  d = std::fmod(d, 360);
  return d < 0 ? d + 360 : d;
}

double degrees_0_360(double rad) { return wrap_degrees(rad * 180 / std::numbers::pi); }

// Times where x crosses zero upwards (rising) or downwards, linearly interpolated.
template <typename Get>
std::vector<double> zero_crossings(std::span<const TickRecord> w, Get get, bool rising) {
  std::vector<double> t;
  for (std::size_t k = 1; k < w.size(); ++k) {
    const double a = get(w[k - 1]), b = get(w[k]);
    if (rising ? (a < 0 && b >= 0) : (a > 0 && b <= 0)) {
      t.push_back(w[k - 1].t_s + (w[k].t_s - w[k - 1].t_s) * a / (a - b));
    }
  }
  return t;
}

// Mean lag of y's falling crossings behind x's rising ones, as a phase in degrees (+180: a
// current in opposition crosses downwards as the voltage crosses upwards).
template <typename GetX, typename GetY>
double crossing_phase_deg(std::span<const TickRecord> w, GetX x, GetY y, double f0) {
  const std::vector<double> tx = zero_crossings(w, x, true), ty = zero_crossings(w, y, false);
  if (tx.empty() || ty.empty()) return 0;
  const double period = 1 / f0;
  double sum = 0;
  for (double t : tx) {
    double best = ty.front() - t;
    for (double u : ty) {
      if (std::abs(u - t) < std::abs(best)) best = u - t;
    }
    sum += std::remainder(best, period);
  }
  return wrap_degrees(180 + 360 * f0 * sum / static_cast<double>(tx.size()));
}

}  // namespace

SteadyState steady_state(std::span<const TickRecord> records, double window_s, double r_load_ohm,
                         double f0_hz) {
  SteadyState s;
  if (records.size() < 2) return s;
  const std::span<const TickRecord> w = last_window(records, window_s);
  const std::size_t n = w.size();
  const double t0 = w.front().t_s;
  s.state = std::string(to_string(records.back().rectifier_state));

  double vmin = w.front().vh_b, vmax = vmin;
  double sum_v = 0, sum_p = 0, sum_g = 0, sum_x = 0, sum_y = 0;
  s.duty_min = 1;
  for (const TickRecord& r : w) {
    sum_v += r.vh_b;
    sum_p += r.vh_b * r.vh_b / r_load_ohm;
    sum_g += r.g_s;
    sum_x += r.v_d;
    sum_y += r.i_b;
    vmin = std::min(vmin, r.vh_b);
    vmax = std::max(vmax, r.vh_b);
    s.iac_peak_a = std::max(s.iac_peak_a, std::abs(r.i_b));
    s.vac_peak_v = std::max(s.vac_peak_v, std::abs(r.v_d));
    s.duty_min = std::min(s.duty_min, r.duty_b);
    s.duty_max = std::max(s.duty_max, r.duty_b);
    s.duty_saturated_ticks += r.saturated_b;
  }
  const double count = static_cast<double>(n);
  s.vdc_mean_v = sum_v / count;
  s.vdc_ripple_pp_v = vmax - vmin;
  s.p_load_w = sum_p / count;
  s.idc_a = s.vdc_mean_v / r_load_ohm;
  s.g_s = sum_g / count;

  const double mx = sum_x / count, my = sum_y / count;
  double sxy = 0, sxx = 0, syy = 0;
  for (const TickRecord& r : w) {
    sxy += (r.v_d - mx) * (r.i_b - my);
    sxx += (r.v_d - mx) * (r.v_d - mx);
    syy += (r.i_b - my) * (r.i_b - my);
  }
  s.corr_v_i = sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : 0;

  const auto v_d = [](const TickRecord& r) { return r.v_d; };
  const auto i_b = [](const TickRecord& r) { return r.i_b; };
  const auto i_a = [](const TickRecord& r) { return r.i_a; };
  const std::complex<double> v1 = harmonic(w, v_d, 1, f0_hz, t0);
  const std::complex<double> ib1 = harmonic(w, i_b, 1, f0_hz, t0);
  const std::complex<double> ia1 = harmonic(w, i_a, 1, f0_hz, t0);
  s.vac_fundamental_v = std::abs(v1);
  s.iac_fundamental_a = std::abs(ib1);
  s.phase_deg = crossing_phase_deg(w, v_d, i_b, f0_hz);
  s.phase_fundamental_deg = degrees_0_360(std::arg(ib1) - std::arg(v1));
  s.inverter_phase_deg = degrees_0_360(std::arg(ia1) - std::arg(v1));
  double harmonics_sq = 0;
  for (int h = 2; h <= 40; ++h) harmonics_sq += std::norm(harmonic(w, i_b, h, f0_hz, t0));
  s.thd_percent = s.iac_fundamental_a > 0 ? 100 * std::sqrt(harmonics_sq) / s.iac_fundamental_a : 0;
  return s;
}

}  // namespace wattshare::p2p
