#include "p2p/svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <functional>
#include <vector>

namespace wattshare::p2p {

namespace {

constexpr double kWidth = 900, kPanelHeight = 260, kLeft = 70, kRight = 70, kTop = 30;

struct Trace {
  std::string name, unit, colour;
  std::function<double(const TickRecord&)> value;
};

// A range with a little headroom, symmetric when the trace crosses zero.
std::pair<double, double> scale(std::span<const TickRecord> w, const Trace& t) {
  double lo = t.value(w.front()), hi = lo;
  for (const TickRecord& r : w) {
    lo = std::min(lo, t.value(r));
    hi = std::max(hi, t.value(r));
  }
  if (lo < 0 && hi > 0) lo = -(hi = std::max(hi, -lo));
  const double pad = std::max((hi - lo) * 0.08, 1e-3);
  return {lo - (lo < 0 ? pad : 0), hi + pad};
}

std::string panel(std::span<const TickRecord> w, double y0, const Trace& left, const Trace& right) {
  const double plot_w = kWidth - kLeft - kRight, plot_h = kPanelHeight - 50;
  const double t0 = w.front().t_s, t1 = w.back().t_s;
  std::string out = fmt::format(
      R"(<rect x="{}" y="{}" width="{}" height="{}" fill="#101418" stroke="#567"/>)" "\n", kLeft,
      y0, plot_w, plot_h);
  for (int i = 1; i < 10; ++i) {  // oscilloscope graticule
    const double x = kLeft + plot_w * i / 10;
    out += fmt::format(R"(<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="#2a3440"/>)" "\n", x, y0, y0 + plot_h);
  }
  for (int i = 1; i < 8; ++i) {
    const double y = y0 + plot_h * i / 8;
    out += fmt::format(R"(<line x1="{1}" y1="{0}" x2="{2}" y2="{0}" stroke="#2a3440"/>)" "\n", y, kLeft, kLeft + plot_w);
  }
  auto trace = [&](const Trace& t, bool on_right) {
    const auto [lo, hi] = scale(w, t);
    std::string points;
    for (const TickRecord& r : w) {
      const double x = kLeft + plot_w * (r.t_s - t0) / std::max(t1 - t0, 1e-12);
      const double y = y0 + plot_h * (1 - (t.value(r) - lo) / (hi - lo));
      points += fmt::format("{:.1f},{:.1f} ", x, y);
    }
    std::string s = fmt::format(R"(<polyline fill="none" stroke="{}" stroke-width="1.5" points="{}"/>)" "\n",
                                t.colour, points);
    const double ax = on_right ? kLeft + plot_w + 6 : kLeft - 6;
    const char* anchor = on_right ? "start" : "end";
    for (int i = 0; i <= 4; ++i) {
      const double v = lo + (hi - lo) * i / 4;
      s += fmt::format(R"(<text x="{}" y="{:.1f}" fill="{}" font-size="11" text-anchor="{}">{:.3g}</text>)" "\n",
                       ax, y0 + plot_h * (1 - i / 4.0) + 4, t.colour, anchor, v);
    }
    s += fmt::format(R"(<text x="{}" y="{}" fill="{}" font-size="13" text-anchor="{}">{} [{}]</text>)" "\n",
                     on_right ? kLeft + plot_w : kLeft, y0 - 8, t.colour, on_right ? "end" : "start",
                     t.name, t.unit);
    return s;
  };
  out += trace(left, false) + trace(right, true);
  out += fmt::format(R"(<text x="{}" y="{}" fill="#ccd" font-size="11" text-anchor="middle">t = {:.3f} … {:.3f} s ({:.1f} ms/div)</text>)" "\n",
                     kLeft + plot_w / 2, y0 + plot_h + 18, t0, t1, (t1 - t0) * 100);
  return out;
}

}  // namespace

std::string plot_svg(std::span<const TickRecord> records, double window_s, double r_load_ohm) {
  if (records.size() < 2) return "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n";
  const auto w = last_window(records, window_s);
  const Trace vdc{"Vdc", "V", "#f5d742", [](const TickRecord& r) { return r.vh_b; }};
  const Trace idc{"Idc", "A", "#4fc3f7", [r_load_ohm](const TickRecord& r) { return r.vh_b / r_load_ohm; }};
  const Trace vac{"Vac", "V", "#f5d742", [](const TickRecord& r) { return r.v_d; }};
  const Trace iac{"Iac (rectifier)", "A", "#ef5fa7", [](const TickRecord& r) { return r.i_b; }};
  std::string svg = fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" font-family="sans-serif">)" "\n"
      R"(<rect width="100%" height="100%" fill="#1b2128"/>)" "\n",
      kWidth, 2 * kPanelHeight + kTop);
  svg += panel(w, kTop, vdc, idc);
  svg += panel(w, kTop + kPanelHeight, vac, iac);
  return svg + "</svg>\n";
}

}  // namespace wattshare::p2p
