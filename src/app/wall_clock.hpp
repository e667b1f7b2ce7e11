// The wall clock as a TimePoint, for the commands that run in real time (logic never reads a
// clock: it is given the time).
#pragma once

#include <chrono>

#include "core/time.hpp"

namespace wattshare::app {

inline TimePoint wall_now() { return std::chrono::floor<Duration>(std::chrono::system_clock::now()); }

}  // namespace wattshare::app
