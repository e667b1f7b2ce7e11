// The 8-byte frame the inverter sends the rectifier every control tick (reference §2.5):
//   [0..3] P_ref, IEEE-754 float32, little-endian   [4] 0x40 | status (bits 7–6 = 0b01)
//   [5]    sequence number (wattshare)              [6] 0
//   [7]    CRC-8 (poly 0x07) over bytes 0–6 (wattshare)
// The original leaves bytes 5–7 as padding, which its receivers ignore, so wattshare frames
// still drive an original rectifier; wattshare's receiver requires the CRC, so a corrupted frame
// can never change the power reference (the original had no check at all).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include <tl/expected.hpp>

#include "core/error.hpp"

namespace wattshare::p2p {

enum class LinkStatus : std::uint8_t {
  kStop = 0,            // rectifier: stop the PWM
  kRun = 1,             // run
  kRunRecordStart = 2,  // run; first tick of a run, the scope starts recording
};
std::string_view to_string(LinkStatus s);

struct Frame {
  float power_ref_w = 0;
  LinkStatus status = LinkStatus::kStop;
  std::uint8_t sequence = 0;
};

inline constexpr std::size_t kFrameSize = 8;
inline constexpr float kMaxPowerRefW = 300;  // the TWIST board's rating
using FrameBytes = std::array<std::uint8_t, kFrameSize>;

FrameBytes encode(const Frame& f);
// Refuses a wrong length, a wrong id, an unknown status, a bad CRC, non-zero padding and a power
// reference that is not a number in [0, 300] W; the message names the byte and the problem.
tl::expected<Frame, Error> decode(std::span<const std::uint8_t> bytes);

std::uint8_t crc8(std::span<const std::uint8_t> bytes);

}  // namespace wattshare::p2p
