#include "devices/eza2500/link.hpp"

#include <array>
#include <thread>

#include <fmt/format.h>

namespace wattshare::eza {

tl::expected<Words, Error> Eza2500Link::transact(const CommandSpec& c, const Words& request) {
  ++stats_.commands;
  const Bytes frame =
      encode_frame(kRequestSfd, o_.converter_address, o_.host_address, c.code, pack(c, request));
  int timeouts_left = o_.timeout_retries, errors_left = o_.error_retries;
  for (;;) {
    auto r = attempt(c, frame);
    if (r) {
      if (o_.command_gap.count() > 0) std::this_thread::sleep_for(o_.command_gap);
      return std::move(*r);
    }
    Attempt& a = r.error();
    if (a.failure == Failure::kFinal) return tl::make_unexpected(std::move(a.error));
    int& budget = a.failure == Failure::kTimeout ? timeouts_left : errors_left;
    if (budget-- <= 0) return tl::make_unexpected(std::move(a.error));
    if (o_.retry_wait.count() > 0) std::this_thread::sleep_for(o_.retry_wait);
  }
}

tl::expected<Words, Eza2500Link::Attempt> Eza2500Link::attempt(const CommandSpec& c, const Bytes& frame) {
  auto fail = [&](Failure f, ErrorCode code, std::string what) {
    return tl::make_unexpected(Attempt{f, Error{code, fmt::format("{}: {}", c.name, what)}});
  };
  auto timed_out = [&](std::chrono::milliseconds waited) {
    ++stats_.timeouts;
    return fail(Failure::kTimeout, ErrorCode::kTimeout,
                fmt::format("timeout (no complete reply within {} ms)", waited.count()));
  };
  // Stale bytes (a late reply to an earlier attempt) go before the frame leaves. The original
  // flushes after sending instead, to drop its adapter's echo; that races a fast device (the
  // reply can already be there), so the echo is dropped byte-exactly by SerialPort instead.
  channel_.discard_input();
  ++stats_.frames_sent;
  if (auto w = channel_.write(frame); !w) return fail(Failure::kTimeout, w.error().code, w.error().message);

  FrameAssembler rx{kResponseSfd};
  std::array<std::uint8_t, 64> buf{};
  // Garbage keeps a line busy; bound the whole reply to a few timeouts.
  const auto give_up = std::chrono::steady_clock::now() + 4 * o_.reply_timeout;
  for (;;) {
    auto n = channel_.read(buf, o_.reply_timeout);
    if (!n) return fail(Failure::kTimeout, n.error().code, n.error().message);
    const bool late = std::chrono::steady_clock::now() > give_up;
    if (*n == 0) return timed_out(o_.reply_timeout);
    for (std::size_t i = 0; i < *n; ++i) {
      const auto step = rx.feed(buf[i]);
      if (step == FrameAssembler::Step::kNeedMore) continue;
      if (step == FrameAssembler::Step::kBadChecksum) {
        ++stats_.checksum_errors;
        return fail(Failure::kRetryable, ErrorCode::kBadInput, "checksum error");
      }
      const RawFrame& f = rx.frame();
      // LEN and CMD must agree: an ACK of this command's length, or a 2-byte NAK (§3.4).
      if (f.cmd == c.code && f.len == c.ack_len) {
        auto words = unpack(c, f.payload);
        if (!words) return fail(Failure::kRetryable, ErrorCode::kBadInput, words.error().message);
        return *words;
      }
      if (f.cmd == (c.code | kNakFlag) && f.len == 2) {
        ++stats_.naks;
        const auto ercd = static_cast<std::uint16_t>(f.payload[0] | (f.payload[1] << 8));
        const std::string what = fmt::format("error: ERCD={:04x} ({})", ercd, nak_meaning(ercd));
        if (!nak_is_retryable(ercd)) return fail(Failure::kFinal, ErrorCode::kRejected, what);
        return fail(Failure::kRetryable, ErrorCode::kMustRetry, what);
      }
      ++stats_.bad_replies;
      return fail(Failure::kRetryable, ErrorCode::kBadInput,
                  fmt::format("bad reply: cmd 0x{:02x} with {} payload bytes (expected cmd 0x{:02x} "
                              "with {}, or a 2-byte NAK 0x{:02x})",
                              f.cmd, f.len, c.code, c.ack_len, c.code | kNakFlag));
    }
    if (late) return timed_out(4 * o_.reply_timeout);  // bytes keep coming, never a whole frame
  }
}

}  // namespace wattshare::eza
