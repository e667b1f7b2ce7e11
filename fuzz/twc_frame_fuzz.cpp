// TWC Gen2 RS485 bytes from the line: the frame decoder and message parser as the master sees
// them, and the same bytes fed to the emulated charger. Nothing may crash; an accepted frame must
// have a valid length and checksum, and re-encoding its message must decode to the same message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "devices/twc/twc_emulator.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wattshare::twc;
  TwcFrameDecoder rx;
  for (std::size_t i = 0; i < size; ++i) {
    auto m = rx.feed(data[i]);
    if (!m) continue;
    if (m->size() != 13 && m->size() != 15 && m->size() != 19) std::abort();
    const Bytes wire = encode_twc_frame(*m);
    TwcFrameDecoder again;
    std::optional<Bytes> back;
    for (const std::uint8_t b : wire) {
      if (auto x = again.feed(b)) back = x;
    }
    if (!back || *back != *m) std::abort();
    (void)parse_message(*m);
  }
  TwcEmulator charger{{}, [] { return 0.0; }};
  (void)charger.on_idle();
  (void)charger.on_bytes({data, size});
  if (charger.actual_amps() < 0 || charger.actual_amps() > 32) std::abort();
  return 0;
}
