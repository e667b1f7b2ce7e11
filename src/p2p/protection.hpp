// Trips shared by both converters. A limit trips after `ticks` consecutive samples beyond it
// (TWIST Core's Safety API waits for more than 4), so one noisy sample does not stop the pair
// but a real fault stops it within a bounded time.
#pragma once

#include <cmath>
#include <string_view>

namespace wattshare::p2p {

enum class ConverterState { kIdle, kPower, kError };
std::string_view to_string(ConverterState s);

enum class Trip { kNone, kOverCurrent, kBusOverVoltage, kFrameTimeout };
std::string_view to_string(Trip t);

struct Limit {
  double max_abs = 0;
  int ticks = 3;
  int count = 0;

  // True once |x| has been beyond max_abs for `ticks` samples in a row.
  bool exceeded(double x) {
    count = std::abs(x) > max_abs ? count + 1 : 0;
    return count >= ticks;
  }
};

}  // namespace wattshare::p2p
