// The shared DC bus as a tree of nodes joined by resistive lines, each unit's converter a port
// (port.hpp) at its node, and a bleed conductance to ground at every unit node (bus capacitor
// bleed resistors and insulation monitoring): it defines the voltage of a bus nobody holds.
//
// solve() finds node voltages where every node's currents balance. Port characteristics are
// monotone and piecewise linear, so the solver follows Katzenelson's method: solve the linear
// system of the present segments, walk toward that solution until the first port changes
// segment, switch it, repeat. It converges in finitely many steps; each step is one O(N) tree
// elimination. With no source the bus collapses to 0 V and charging ports draw nothing.
//   DcBus bus{{{-1, 0.0}, {0, 0.5}, {0, 0.8}}};  // root junction + two units
//   bus.set_port(1, cv_port); bus.set_port(2, cc_port);
//   bus.solve(); double v = bus.voltage_v(2), i = bus.injection_a(2);
#pragma once

#include <cstdint>
#include <vector>

#include "physics/port.hpp"

namespace wattshare {

struct BusNode {
  int parent = -1;               // index of the parent node; -1 for the root only
  double resistance_ohm = 0;     // line resistance to the parent (loop, both conductors)
  double bleed_siemens = 0;      // conductance to ground at this node
};

class DcBus {
 public:
  // Nodes must be listed with every parent before its children (node 0 is the root).
  explicit DcBus(std::vector<BusNode> nodes);

  void set_port(std::size_t node, const PortModel& port);
  [[nodiscard]] const PortModel& port(std::size_t node) const { return ports_[node]; }

  // Returns the number of linear solves taken.
  int solve();

  [[nodiscard]] std::size_t size() const { return nodes_.size(); }
  [[nodiscard]] double voltage_v(std::size_t node) const { return v_[node]; }
  // Current the port injects into the bus (positive = discharging into it).
  [[nodiscard]] double injection_a(std::size_t node) const { return ports_[node].current_a(v_[node]); }
  // Current in the line from `node` to its parent (positive toward the parent).
  [[nodiscard]] double line_current_a(std::size_t node) const;
  // I²R in the lines plus bleed losses [W].
  [[nodiscard]] double loss_w() const;
  // Largest |current balance| at a node after solve() [A]: solver accuracy.
  [[nodiscard]] double max_residual_a() const;

 private:
  enum class Segment : std::uint8_t { kInactive, kLow, kLinear, kHigh };
  static Segment segment_of(const PortModel& p, double v);
  void solve_linear(std::vector<double>& out);

  std::vector<BusNode> nodes_;
  std::vector<double> line_g_;
  std::vector<PortModel> ports_;
  std::vector<Segment> seg_;
  std::vector<double> v_;
  // scratch for the elimination
  std::vector<double> diag_, rhs_, target_;
};

}  // namespace wattshare
