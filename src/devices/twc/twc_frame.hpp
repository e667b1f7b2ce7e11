// Tesla Wall Connector Gen2 RS485 frames (reference pv-surplus.md §2.4): C0, the message and a
// one-byte checksum (sum of the message bytes after the first, & 0xFF), SLIP-escaped (C0 → DB DC,
// DB → DB DD), C0. Unescaped, message + checksum are 14 (protocol 1), 16 (protocol 2) or 20 bytes.
//   Bytes wire = encode_twc_frame(message);
//   TwcFrameDecoder rx;  for (auto b : wire) if (auto m = rx.feed(b)) use(*m);
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace wattshare::twc {

using Bytes = std::vector<std::uint8_t>;

inline constexpr std::uint8_t kDelimiter = 0xC0;
inline constexpr std::uint8_t kEscape = 0xDB;

std::uint8_t checksum(std::span<const std::uint8_t> message);
Bytes encode_twc_frame(std::span<const std::uint8_t> message);

// Collects frames from the line. A complete frame gives its message (checksum removed); a bad
// one is counted with its reason and skipped.
class TwcFrameDecoder {
 public:
  std::optional<Bytes> feed(std::uint8_t byte);
  [[nodiscard]] std::uint64_t bad_frames() const { return bad_frames_; }
  [[nodiscard]] const std::string& last_problem() const { return last_problem_; }

 private:
  bool in_frame_ = false;
  bool escaped_ = false;
  Bytes body_;
  std::uint64_t bad_frames_ = 0;
  std::string last_problem_;
};

}  // namespace wattshare::twc
