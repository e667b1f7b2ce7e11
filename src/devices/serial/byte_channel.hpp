// A half-duplex byte link to one device: what the EZA2500 link talks through. SerialPort is the
// real one (termios); tests and the fuzzer can use any other.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>

#include <tl/expected.hpp>

#include "core/error.hpp"

namespace wattshare {

class ByteChannel {
 public:
  virtual ~ByteChannel() = default;
  // Drops whatever was received and not read yet (stale bytes, a late reply).
  virtual void discard_input() = 0;
  // Writes every byte and waits until they have left.
  [[nodiscard]] virtual tl::expected<void, Error> write(std::span<const std::uint8_t> bytes) = 0;
  // Reads what is there, waiting up to `timeout` for the first byte; 0 bytes means timeout.
  [[nodiscard]] virtual tl::expected<std::size_t, Error> read(std::span<std::uint8_t> out,
                                                              std::chrono::milliseconds timeout) = 0;
};

}  // namespace wattshare
