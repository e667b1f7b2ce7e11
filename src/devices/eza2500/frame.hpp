// EZA2500 frames (reference §3): SFD, LEN, AD1, AD2, CMD, LEN payload bytes, a 16-bit sum of
// AD1…payload sent low byte first. Requests start with 0x05, replies with 0x02; a NAK carries
// CMD | 0x80 and a 2-byte error code.
//   auto bytes = encode_frame(kRequestSfd, 0x00, 0x10, 0x1A, payload);
//   FrameAssembler rx{kResponseSfd};  for (auto b : chunk) if (rx.feed(b) == Step::kComplete) ...
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace wattshare::eza {

inline constexpr std::uint8_t kRequestSfd = 0x05;
inline constexpr std::uint8_t kResponseSfd = 0x02;
inline constexpr std::uint8_t kNakFlag = 0x80;
inline constexpr std::size_t kFrameOverhead = 7;  // SFD LEN AD1 AD2 CMD + 2 checksum bytes

using Bytes = std::vector<std::uint8_t>;

// Sum of the bytes modulo 65536 (the caller passes AD1 through the last payload byte).
std::uint16_t checksum(std::span<const std::uint8_t> bytes);

Bytes encode_frame(std::uint8_t sfd, std::uint8_t ad1, std::uint8_t ad2, std::uint8_t cmd,
                   std::span<const std::uint8_t> payload);

struct RawFrame {
  std::uint8_t len = 0;
  std::uint8_t ad1 = 0, ad2 = 0, cmd = 0;
  Bytes payload;
};

// Collects one frame from a byte stream: skips bytes until the start byte, then takes LEN, the
// header, the payload and the checksum. A frame whose checksum does not match is reported and
// dropped; the assembler then hunts for the next start byte.
class FrameAssembler {
 public:
  enum class Step { kNeedMore, kComplete, kBadChecksum };

  explicit FrameAssembler(std::uint8_t sfd) : sfd_(sfd) {}
  Step feed(std::uint8_t byte);
  // The last complete frame (valid after kComplete until the next feed).
  [[nodiscard]] const RawFrame& frame() const { return frame_; }
  // Bytes skipped while hunting for the start byte, since the last reset.
  [[nodiscard]] std::size_t skipped() const { return skipped_; }
  void reset();

 private:
  std::uint8_t sfd_;
  enum class State { kHunt, kLen, kHeader, kPayload, kChecksum } state_ = State::kHunt;
  RawFrame frame_;
  std::size_t header_got_ = 0;
  std::uint16_t sum_ = 0;
  std::uint16_t received_sum_ = 0;
  std::size_t checksum_got_ = 0;
  std::size_t skipped_ = 0;
};

}  // namespace wattshare::eza
