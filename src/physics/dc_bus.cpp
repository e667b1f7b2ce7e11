#include "physics/dc_bus.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <stdexcept>

namespace wattshare {

DcBus::DcBus(std::vector<BusNode> nodes) : nodes_(std::move(nodes)) {
  const std::size_t n = nodes_.size();
  line_g_.assign(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& nd = nodes_[i];
    if (i == 0) {
      if (nd.parent != -1) throw std::invalid_argument("bus node 0 must be the root");
      continue;
    }
    if (nd.parent < 0 || static_cast<std::size_t>(nd.parent) >= i)
      throw std::invalid_argument("bus nodes must list each parent before its children");
    if (!(nd.resistance_ohm > 0)) throw std::invalid_argument("bus line resistance must be > 0");
    line_g_[i] = 1.0 / nd.resistance_ohm;
  }
  ports_.assign(n, PortModel{});
  seg_.assign(n, Segment::kInactive);
  v_.assign(n, 0.0);
  diag_.assign(n, 0.0);
  rhs_.assign(n, 0.0);
  target_.assign(n, 0.0);
}

void DcBus::set_port(std::size_t node, const PortModel& port) { ports_[node] = port; }

DcBus::Segment DcBus::segment_of(const PortModel& p, double v) {
  if (!p.active) return Segment::kInactive;
  const double c = (p.e_v - v) / p.r_ohm;
  if (c < p.lo_a) return Segment::kLow;
  if (c > p.hi_a) return Segment::kHigh;
  return Segment::kLinear;
}

// Solves (L + diag(bleed + port conductance)) V = J for the present segments by eliminating
// leaves into parents (the tree gives a fill-free ordering).
void DcBus::solve_linear(std::vector<double>& out) {
  const std::size_t n = nodes_.size();
  for (std::size_t i = 0; i < n; ++i) {
    const auto& p = ports_[i];
    double d = nodes_[i].bleed_siemens;
    double j = 0;
    switch (seg_[i]) {
      case Segment::kInactive: break;
      case Segment::kLow: j = p.lo_a; break;
      case Segment::kHigh: j = p.hi_a; break;
      case Segment::kLinear:
        d += 1.0 / p.r_ohm;
        j = p.e_v / p.r_ohm;
        break;
    }
    diag_[i] = d;
    rhs_[i] = j;
  }
  for (std::size_t i = 1; i < n; ++i) {
    diag_[i] += line_g_[i];
    diag_[static_cast<std::size_t>(nodes_[i].parent)] += line_g_[i];
  }
  for (std::size_t i = n; i-- > 1;) {
    const auto p = static_cast<std::size_t>(nodes_[i].parent);
    const double g = line_g_[i];
    diag_[p] -= g * g / diag_[i];
    rhs_[p] += g * rhs_[i] / diag_[i];
  }
  // A floating bus (no conductance to ground anywhere) has no defined level: hold it at 0 V.
  out[0] = diag_[0] > 1e-15 ? rhs_[0] / diag_[0] : 0.0;
  for (std::size_t i = 1; i < n; ++i)
    out[i] = (rhs_[i] + line_g_[i] * out[static_cast<std::size_t>(nodes_[i].parent)]) / diag_[i];
}

int DcBus::solve() {
  const std::size_t n = nodes_.size();
  if (n == 0) return 0;
  for (std::size_t i = 0; i < n; ++i) seg_[i] = segment_of(ports_[i], v_[i]);
  int solves = 0;
  const int limit = 8 * static_cast<int>(n) + 64;
  while (solves < limit) {
    solve_linear(target_);
    ++solves;
    // Walk from v_ toward target_ until the first port leaves its segment.
    double lambda = 1.0;
    std::size_t which = n;
    for (std::size_t i = 0; i < n; ++i) {
      const auto& p = ports_[i];
      if (!p.active) continue;
      const double dv = target_[i] - v_[i];
      if (dv == 0) continue;
      // Segment boundaries in voltage: c = lo at V = e - r lo (upper), c = hi at V = e - r hi.
      const double v_lo = p.e_v - p.r_ohm * p.lo_a;  // above this V the port sits at lo
      const double v_hi = p.e_v - p.r_ohm * p.hi_a;  // below this V the port sits at hi
      double boundary;
      switch (seg_[i]) {
        case Segment::kLow:  // V > v_lo; leaves when V drops below v_lo
          if (dv >= 0) continue;
          boundary = v_lo;
          break;
        case Segment::kHigh:  // V < v_hi; leaves when V rises above v_hi
          if (dv <= 0) continue;
          boundary = v_hi;
          break;
        case Segment::kLinear:
          boundary = dv > 0 ? v_lo : v_hi;
          break;
        default: continue;
      }
      const double l = (boundary - v_[i]) / dv;
      if (l < lambda && l >= 0 && (target_[i] - boundary) * dv > 1e-12) {
        lambda = l;
        which = i;
      }
    }
    if (which == n) {
      // No port leaves its segment on the way: the target is the solution.
      v_.swap(target_);
      return solves;
    }
    for (std::size_t i = 0; i < n; ++i) v_[i] += lambda * (target_[i] - v_[i]);
    const double dv = target_[which] - v_[which];
    switch (seg_[which]) {
      case Segment::kLow: seg_[which] = Segment::kLinear; break;
      case Segment::kHigh: seg_[which] = Segment::kLinear; break;
      case Segment::kLinear: seg_[which] = dv > 0 ? Segment::kLow : Segment::kHigh; break;
      default: break;
    }
  }
  // Not reached for monotone ports; keep the last iterate rather than fail the physics.
  return solves;
}

double DcBus::line_current_a(std::size_t node) const {
  if (node == 0) return 0;
  return (v_[node] - v_[static_cast<std::size_t>(nodes_[node].parent)]) * line_g_[node];
}

double DcBus::loss_w() const {
  double loss = 0;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    loss += nodes_[i].bleed_siemens * v_[i] * v_[i];
    if (i > 0) {
      const double dv = v_[i] - v_[static_cast<std::size_t>(nodes_[i].parent)];
      loss += line_g_[i] * dv * dv;
    }
  }
  return loss;
}

double DcBus::max_residual_a() const {
  std::vector<double> balance(nodes_.size(), 0.0);
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    balance[i] += injection_a(i) - nodes_[i].bleed_siemens * v_[i];
    if (i > 0) {
      const double c = line_current_a(i);
      balance[i] -= c;
      balance[static_cast<std::size_t>(nodes_[i].parent)] += c;
    }
  }
  double worst = 0;
  for (double b : balance) worst = std::max(worst, std::abs(b));
  return worst;
}

}  // namespace wattshare
