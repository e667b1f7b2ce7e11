// One EZA2500 on a byte channel: sends a command, collects its reply and applies the driver's
// retry rules (reference §3.4–§3.6): timeouts and transient failures (checksum, a reply that is
// not this command's, NAK other than ffff/fffe/fffb) are resent with independent budgets; a
// definitive NAK fails at once. All traffic to the converter goes through one link, one command
// at a time, so nothing interleaves on the half-duplex bus.
//   Eza2500Link link{port, {}};
//   auto words = link.transact(kCmd4_4, {raw_dvg, raw_drg});
#pragma once

#include <chrono>
#include <cstdint>

#include "devices/eza2500/commands.hpp"
#include "devices/serial/byte_channel.hpp"

namespace wattshare::eza {

struct LinkOptions {
  std::uint8_t converter_address = 0x00;  // AD1
  std::uint8_t host_address = 0x10;       // AD2
  std::chrono::milliseconds reply_timeout{100};  // for the first byte, then between bytes
  std::chrono::milliseconds retry_wait{100};
  // The original pauses 62 ms after every acknowledged command; the converter's real minimum
  // gap is not documented, so it stays the default for hardware (0 for emulators).
  std::chrono::milliseconds command_gap{62};
  int timeout_retries = 3;
  int error_retries = 3;
};

struct LinkStats {
  std::uint64_t commands = 0;
  std::uint64_t frames_sent = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t checksum_errors = 0;
  std::uint64_t bad_replies = 0;
  std::uint64_t naks = 0;
};

class Eza2500Link {
 public:
  Eza2500Link(ByteChannel& channel, LinkOptions options) : channel_(channel), o_(options) {}

  // The ACK's words, or the error of the last attempt once the budgets are used up. Messages
  // name the command and keep the original's words ("6-4: error: ERCD=fffe (…)",
  // "1-1: timeout …", "10-1: checksum error").
  [[nodiscard]] tl::expected<Words, Error> transact(const CommandSpec& c, const Words& request = {});

  [[nodiscard]] const LinkStats& stats() const { return stats_; }
  [[nodiscard]] const LinkOptions& options() const { return o_; }

 private:
  enum class Failure { kTimeout, kRetryable, kFinal };
  struct Attempt {
    Failure failure;
    Error error;
  };
  tl::expected<Words, Attempt> attempt(const CommandSpec& c, const Bytes& frame);

  ByteChannel& channel_;
  LinkOptions o_;
  LinkStats stats_;
};

}  // namespace wattshare::eza
