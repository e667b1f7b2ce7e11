// EZA2500 frames from the line, both ways: the bytes as the converter's reply to every command
// the driver sends (assembler, LEN/CMD checks, unpacking, retries), as requests to the emulated
// converter, and as a decimal value for each Q field. Nothing may crash or hang; a reply the
// link accepts must have the command's ACK length.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "devices/eza2500/emulator.hpp"
#include "devices/eza2500/link.hpp"

namespace {

using namespace wattshare;

// Answers every write with the fuzz bytes.
class FuzzLine final : public ByteChannel {
 public:
  explicit FuzzLine(std::span<const std::uint8_t> reply) : reply_(reply) {}
  void discard_input() override {}
  tl::expected<void, Error> write(std::span<const std::uint8_t>) override {
    at_ = 0;
    return {};
  }
  tl::expected<std::size_t, Error> read(std::span<std::uint8_t> out, std::chrono::milliseconds) override {
    const std::size_t n = std::min(out.size(), reply_.size() - at_);
    std::copy_n(reply_.begin() + static_cast<long>(at_), n, out.begin());
    at_ += n;
    return n;
  }

 private:
  std::span<const std::uint8_t> reply_;
  std::size_t at_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wattshare::eza;
  const std::span<const std::uint8_t> bytes{data, size};
  FuzzLine line{bytes};
  LinkOptions o;
  o.command_gap = o.retry_wait = std::chrono::milliseconds(0);
  o.reply_timeout = std::chrono::milliseconds(100);  // the fuzz line never waits
  Eza2500Link link{line, o};
  for (const CommandSpec* c : all_commands()) {
    auto r = link.transact(*c, Words(c->fields.size(), 0));
    if (r && r->size() != c->fields.size()) std::abort();
  }

  Battery battery{BatteryParams{}};
  double now = 0;
  EzaEmulator emulator{battery, {}, [&] { return now += 0.01; }};
  const auto reply = emulator.on_bytes(bytes);
  FrameAssembler rx{kResponseSfd};
  for (const std::uint8_t b : reply) {
    if (rx.feed(b) == FrameAssembler::Step::kBadChecksum) std::abort();  // our replies are well formed
  }

  const std::string_view text{reinterpret_cast<const char*>(data), std::min<std::size_t>(size, 64)};
  for (const CommandSpec* c : {&kCmd4_4, &kCmd6_4}) {
    for (const FieldSpec& f : c->fields) {
      auto raw = encode_decimal(f.q, text);
      if (raw && decode(f.q, *raw) < 0) std::abort();
    }
  }
  return 0;
}
