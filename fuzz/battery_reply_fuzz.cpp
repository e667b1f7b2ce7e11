// The battery's Modbus RTU reply handling, for real: libmodbus in RTU mode on a pseudo-terminal
// reads the fuzz bytes as the battery's answer, and BatteryClient converts what it accepts. A
// reading must be a valid RSOC (0–100 %) and permission; everything else must be an error.
#include <poll.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "devices/battery/battery_client.hpp"
#include "devices/serial/pty.hpp"

namespace {

struct Line {
  std::unique_ptr<wattshare::PtyLink> pty = wattshare::PtyLink::create("").value();
  std::unique_ptr<wattshare::BatteryClient> client = wattshare::BatteryClient::open(
      {.device = pty->path(), .response_timeout = std::chrono::milliseconds(2),
       .byte_timeout = std::chrono::milliseconds(1), .retries = 0}).value();

  void drain_requests() const {
    std::uint8_t buf[256];
    while (::read(pty->master_fd(), buf, sizeof buf) > 0) {
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Line line;
  line.client->discard_input();
  line.drain_requests();
  // The reply is on the line before the request leaves: libmodbus reads it as the answer.
  if (size > 0 && ::write(line.pty->master_fd(), data, size) < 0) return 0;
  auto r = line.client->read();
  if (r && (r->rsoc_pct < 0 || r->rsoc_pct > 100)) std::abort();
  return 0;
}
