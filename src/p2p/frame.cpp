#include "p2p/frame.hpp"

#include <bit>
#include <cmath>
#include <fmt/format.h>

namespace wattshare::p2p {

std::string_view to_string(LinkStatus s) {
  switch (s) {
    case LinkStatus::kStop: return "stop";
    case LinkStatus::kRun: return "run";
    case LinkStatus::kRunRecordStart: return "run+record";
  }
  return "?";
}

namespace {

// CRC-8 (poly 0x07) one byte at a time: the frame is checked every 100 µs on both sides.
constexpr std::array<std::uint8_t, 256> kCrc8Table = [] {
  std::array<std::uint8_t, 256> t{};
  for (int v = 0; v < 256; ++v) {
    auto crc = static_cast<std::uint8_t>(v);
    for (int i = 0; i < 8; ++i) crc = static_cast<std::uint8_t>((crc & 0x80) ? (crc << 1) ^ 0x07 : crc << 1);
    t[static_cast<std::size_t>(v)] = crc;
  }
  return t;
}();

}  // namespace

std::uint8_t crc8(std::span<const std::uint8_t> bytes) {
  std::uint8_t crc = 0;
  for (std::uint8_t b : bytes) crc = kCrc8Table[crc ^ b];
  return crc;
}

FrameBytes encode(const Frame& f) {
  FrameBytes out{};
  const auto bits = std::bit_cast<std::uint32_t>(f.power_ref_w);
  for (int i = 0; i < 4; ++i) out[i] = static_cast<std::uint8_t>(bits >> (8 * i));
  out[4] = static_cast<std::uint8_t>(0x40 | static_cast<std::uint8_t>(f.status));
  out[5] = f.sequence;
  out[6] = 0;
  out[7] = crc8(std::span(out).first(7));
  return out;
}

tl::expected<Frame, Error> decode(std::span<const std::uint8_t> b) {
  auto bad = [](std::string what) { return tl::unexpected(Error::bad_input("p2p frame: " + what)); };
  if (b.size() != kFrameSize) return bad(fmt::format("{} bytes, expected {}", b.size(), kFrameSize));
  if (const std::uint8_t crc = crc8(b.first(7)); crc != b[7]) {
    return bad(fmt::format("byte 7: CRC {:#04x}, computed {:#04x}", b[7], crc));
  }
  if ((b[4] >> 6) != 1) return bad(fmt::format("byte 4: id bits {:#04x}, expected 0b01", b[4] >> 6));
  const std::uint8_t status = b[4] & 0x3f;
  if (status > 2) return bad(fmt::format("byte 4: unknown status {}", status));
  if (b[6] != 0) return bad(fmt::format("byte 6: padding {:#04x}, expected 0", b[6]));
  std::uint32_t bits = 0;
  for (int i = 0; i < 4; ++i) bits |= std::uint32_t{b[i]} << (8 * i);
  const float p = std::bit_cast<float>(bits);
  if (!std::isfinite(p) || p < 0 || p > kMaxPowerRefW) {
    return bad(fmt::format("bytes 0-3: power reference {} W outside [0, {}]", p, kMaxPowerRefW));
  }
  return Frame{p, static_cast<LinkStatus>(status), b[5]};
}

}  // namespace wattshare::p2p
