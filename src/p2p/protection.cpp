#include "p2p/protection.hpp"

namespace wattshare::p2p {

std::string_view to_string(ConverterState s) {
  switch (s) {
    case ConverterState::kIdle: return "IDLE";
    case ConverterState::kPower: return "POWER";
    case ConverterState::kError: return "ERROR";
  }
  return "?";
}

std::string_view to_string(Trip t) {
  switch (t) {
    case Trip::kNone: return "none";
    case Trip::kOverCurrent: return "over-current";
    case Trip::kBusOverVoltage: return "bus over-voltage";
    case Trip::kFrameTimeout: return "frame timeout";
  }
  return "?";
}

}  // namespace wattshare::p2p
