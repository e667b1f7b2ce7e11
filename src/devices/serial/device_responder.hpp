// An emulated serial device: bytes in from the line, bytes out (its replies). Thread-safe, so a
// test can inject faults while the device is served on another thread.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace wattshare {

class DeviceResponder {
 public:
  virtual ~DeviceResponder() = default;
  virtual std::vector<std::uint8_t> on_bytes(std::span<const std::uint8_t> in) = 0;
  // What the device sends by itself (announcements), asked every poll of the line.
  virtual std::vector<std::uint8_t> on_idle() { return {}; }
};

}  // namespace wattshare
