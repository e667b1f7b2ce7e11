// Oscilloscope-style SVG plots of a pair run: one panel per pair of traces (Vdc/Idc, Vac/Iac),
// each trace on its own vertical scale (left and right axes), time along the bottom.
#pragma once

#include <span>
#include <string>

#include "p2p/pair_simulation.hpp"

namespace wattshare::p2p {

// Plots the last `window_s` of `records`.
std::string plot_svg(std::span<const TickRecord> records, double window_s, double r_load_ohm);

}  // namespace wattshare::p2p
