#include "devices/twc/twc_frame.hpp"

#include <fmt/format.h>

namespace wattshare::twc {

std::uint8_t checksum(std::span<const std::uint8_t> message) {
  unsigned sum = 0;
  for (std::size_t i = 1; i < message.size(); ++i) sum += message[i];
  return static_cast<std::uint8_t>(sum & 0xFF);
}

Bytes encode_twc_frame(std::span<const std::uint8_t> message) {
  Bytes out{kDelimiter};
  auto put = [&](std::uint8_t b) {
    if (b == kDelimiter) {
      out.insert(out.end(), {kEscape, 0xDC});
    } else if (b == kEscape) {
      out.insert(out.end(), {kEscape, 0xDD});
    } else {
      out.push_back(b);
    }
  };
  for (const std::uint8_t b : message) put(b);
  put(checksum(message));
  out.push_back(kDelimiter);
  return out;
}

std::optional<Bytes> TwcFrameDecoder::feed(std::uint8_t byte) {
  auto bad = [&](std::string why) -> std::optional<Bytes> {
    ++bad_frames_;
    last_problem_ = std::move(why);
    return std::nullopt;
  };
  if (byte == kDelimiter) {
    // C0 both ends a frame and may start the next; an empty body is a bare delimiter.
    const bool had_frame = in_frame_ && !body_.empty();
    in_frame_ = true;
    escaped_ = false;
    if (!had_frame) return std::nullopt;
    Bytes frame = std::move(body_);
    body_.clear();
    if (frame.size() != 14 && frame.size() != 16 && frame.size() != 20) {
      return bad(fmt::format("frame of {} bytes (expected 14, 16 or 20)", frame.size()));
    }
    const std::uint8_t sum = frame.back();
    frame.pop_back();
    if (checksum(frame) != sum) {
      return bad(fmt::format("checksum {:02x}, expected {:02x}", sum, checksum(frame)));
    }
    return frame;
  }
  if (!in_frame_) return std::nullopt;  // noise between frames
  if (escaped_) {
    escaped_ = false;
    if (byte == 0xDC) {
      body_.push_back(kDelimiter);
    } else if (byte == 0xDD) {
      body_.push_back(kEscape);
    } else {
      in_frame_ = false;
      body_.clear();
      return bad(fmt::format("escape DB followed by {:02x}", byte));
    }
    return std::nullopt;
  }
  if (byte == kEscape) {
    escaped_ = true;
    return std::nullopt;
  }
  if (body_.size() >= 32) {  // longer than any message: resynchronise at the next C0
    in_frame_ = false;
    body_.clear();
    return bad("frame longer than 20 bytes");
  }
  body_.push_back(byte);
  return std::nullopt;
}

}  // namespace wattshare::twc
