#include "devices/eza2500/frame.hpp"

namespace wattshare::eza {

std::uint16_t checksum(std::span<const std::uint8_t> bytes) {
  std::uint16_t sum = 0;
  for (const std::uint8_t b : bytes) sum = static_cast<std::uint16_t>(sum + b);
  return sum;
}

Bytes encode_frame(std::uint8_t sfd, std::uint8_t ad1, std::uint8_t ad2, std::uint8_t cmd,
                   std::span<const std::uint8_t> payload) {
  Bytes out;
  out.reserve(kFrameOverhead + payload.size());
  out.push_back(sfd);
  out.push_back(static_cast<std::uint8_t>(payload.size()));
  out.push_back(ad1);
  out.push_back(ad2);
  out.push_back(cmd);
  out.insert(out.end(), payload.begin(), payload.end());
  const std::uint16_t sum = checksum(std::span{out}.subspan(2));
  out.push_back(static_cast<std::uint8_t>(sum & 0xff));
  out.push_back(static_cast<std::uint8_t>(sum >> 8));
  return out;
}

void FrameAssembler::reset() {
  state_ = State::kHunt;
  skipped_ = 0;
}

FrameAssembler::Step FrameAssembler::feed(std::uint8_t byte) {
  switch (state_) {
    case State::kHunt:
      if (byte == sfd_) {
        state_ = State::kLen;
      } else {
        ++skipped_;
      }
      return Step::kNeedMore;
    case State::kLen:
      frame_.len = byte;
      frame_.payload.clear();
      header_got_ = 0;
      sum_ = 0;
      state_ = State::kHeader;
      return Step::kNeedMore;
    case State::kHeader:
      sum_ = static_cast<std::uint16_t>(sum_ + byte);
      if (header_got_ == 0) frame_.ad1 = byte;
      if (header_got_ == 1) frame_.ad2 = byte;
      if (header_got_ == 2) frame_.cmd = byte;
      if (++header_got_ == 3) state_ = frame_.len == 0 ? State::kChecksum : State::kPayload;
      checksum_got_ = 0;
      return Step::kNeedMore;
    case State::kPayload:
      sum_ = static_cast<std::uint16_t>(sum_ + byte);
      frame_.payload.push_back(byte);
      if (frame_.payload.size() == frame_.len) state_ = State::kChecksum;
      return Step::kNeedMore;
    case State::kChecksum:
      if (checksum_got_++ == 0) {
        received_sum_ = byte;
        return Step::kNeedMore;
      }
      received_sum_ = static_cast<std::uint16_t>(received_sum_ | (byte << 8));
      state_ = State::kHunt;
      return received_sum_ == sum_ ? Step::kComplete : Step::kBadChecksum;
  }
  return Step::kNeedMore;
}

}  // namespace wattshare::eza
