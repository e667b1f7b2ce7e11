// `wattshare driver`'s handler (DcdcBattDriver) as apis-main reaches it, over an emulated EZA2500
// in memory: any request line, any order, then the silence watchdog. The converter must never be
// left driving once the watchdog has acted, and every answer is 200, 400, 404 or 405.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <string>

#include "devices/eza2500/driver_service.hpp"
#include "devices/eza2500/emulator.hpp"
#include "fuzz_lines.hpp"

namespace {

using namespace wattshare;

// The line to an emulated converter: what is written is answered at once.
class EmulatedLine final : public ByteChannel {
 public:
  explicit EmulatedLine(DeviceResponder& device) : device_(device) {}
  void discard_input() override { pending_.clear(); }
  tl::expected<void, Error> write(std::span<const std::uint8_t> bytes) override {
    const auto reply = device_.on_bytes(bytes);
    pending_.insert(pending_.end(), reply.begin(), reply.end());
    return {};
  }
  tl::expected<std::size_t, Error> read(std::span<std::uint8_t> out, std::chrono::milliseconds) override {
    std::size_t n = 0;
    while (n < out.size() && !pending_.empty()) {
      out[n++] = pending_.front();
      pending_.pop_front();
    }
    return n;
  }

 private:
  DeviceResponder& device_;
  std::deque<std::uint8_t> pending_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wattshare::eza;
  Battery battery{BatteryParams{}};
  double now_s = 0;
  EzaEmulator converter{battery, {}, [&] { return now_s += 0.01; }};
  EmulatedLine line{converter};
  LinkOptions o;
  o.command_gap = o.retry_wait = std::chrono::milliseconds(0);
  o.reply_timeout = std::chrono::milliseconds(1);
  Eza2500Link link{line, o};
  DcdcBattDriver driver{link, nullptr, {}};
  const TimePoint t0 = TimePoint{} + hours(1);
  driver.note_contact(t0);
  fuzz::for_each_line(data, size, 64, [&](const std::string& target, std::size_t) {
    const HttpResponse r = driver.handle({"GET", target, {}, {}});
    if (r.status != 200 && r.status != 400 && r.status != 404 && r.status != 405) std::abort();
  });
  // Its node then goes silent: the converter must end Waiting.
  const WatchdogResult w = driver.silence_tick(t0 + seconds(10), seconds(10));
  if (!w.error && converter.mode() != kModeWaiting) std::abort();
  return 0;
}
