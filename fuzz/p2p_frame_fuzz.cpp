// P2P link frames: any bytes give an error or a frame that re-encodes to the same 8 bytes (a
// decoded frame is always a well-formed one), and a rectifier fed them never leaves its bounds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "p2p/frame.hpp"
#include "p2p/rectifier.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wattshare::p2p;
  const std::span<const std::uint8_t> bytes(data, size);
  if (auto f = decode(bytes)) {
    const FrameBytes again = encode(*f);
    if (!std::equal(again.begin(), again.end(), bytes.begin())) std::abort();
  }
  static Rectifier rectifier = *Rectifier::make({});
  for (std::size_t i = 0; i + kFrameSize <= size; i += kFrameSize) {
    rectifier.receive(bytes.subspan(i, kFrameSize));
    const RectifierOutput out = rectifier.tick({10, -1, 46});
    if (out.pwm_on && (out.duty < 0.1 || out.duty > 0.9)) std::abort();
    if (rectifier.power_ref_w() < 0 || rectifier.power_ref_w() > kMaxPowerRefW) std::abort();
  }
  return 0;
}
