// The native driver's request path: /dcdc/set (a full set: 4-4, 6-4, 1-4, 2-1, 9-1, 10-1) and
// /dcdc/get/status from the HTTP handler through the termios port to the emulated EZA2500 on a
// pseudo-terminal and back. Real time per request (the original targets ≤ 500–600 ms) with the
// original's 62 ms pause after every command, and without it; CPU is the driver thread's.
// A pty has no baud rate: at 19200 baud 8N1 add ≈ 0.52 ms per byte on the wire (≈ 80 ms for a
// full set's 157 bytes).
#include <benchmark/benchmark.h>


#include "devices/battery/battery_emulator.hpp"
#include "devices/eza2500/driver_service.hpp"
#include "devices/eza2500/emulator.hpp"
#include "devices/serial/pty_server.hpp"
#include "devices/serial/serial_port.hpp"

namespace wattshare {
namespace {

struct DriverOnPty {
  explicit DriverOnPty(int gap_ms) {
    server.add(*pty, emulator);
    server.run_in_background();
    eza::LinkOptions o;
    o.command_gap = std::chrono::milliseconds(gap_ms);
    link = std::make_unique<eza::Eza2500Link>(*port, o);
    driver = std::make_unique<eza::DcdcBattDriver>(*link, nullptr, eza::DriverOptions{});
  }
  Battery battery{BatteryParams{}};
  eza::EzaEmulator emulator{battery, {}, [] { return 0.0; }};
  std::unique_ptr<PtyLink> pty = PtyLink::create("").value();
  PtyServer server;  // after what it serves: it stops first
  std::unique_ptr<SerialPort> port = SerialPort::open({.device = pty->path()}).value();
  std::unique_ptr<eza::Eza2500Link> link;
  std::unique_ptr<eza::DcdcBattDriver> driver;
};

void run(benchmark::State& state, const char* a, const char* b) {
  DriverOnPty d{static_cast<int>(state.range(0))};
  bool flip = false;
  for (auto _ : state) {
    const HttpResponse r = d.driver->handle({"GET", (flip = !flip) ? a : b, {}, {}});
    if (r.status != 200) state.SkipWithError(r.body.c_str());
  }
}

void BM_DriverFullSet(benchmark::State& state) {
  run(state, "/dcdc/set?mode=0x0014&dvg=350&dig=2&drg=0", "/dcdc/set?mode=0x0000&dvg=350&dig=0&drg=0");
}
void BM_DriverGetStatus(benchmark::State& state) { run(state, "/dcdc/get/status", "/dcdc/get/status"); }

BENCHMARK(BM_DriverFullSet)->Arg(0)->Arg(62)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(8);
BENCHMARK(BM_DriverGetStatus)->Arg(0)->Arg(62)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(8);

}  // namespace
}  // namespace wattshare
