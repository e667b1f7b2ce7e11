// Any bytes as a device's answer (a Shelly's /status, a Tasmota RESULT, a Home Assistant state):
// a number, a text or nothing, never a crash, a hang or undefined behaviour, whatever the path.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/json_path.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wattshare;
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  for (std::string_view path : {"", "total_power", "emeters.*.power", "ext_temperature.0.tC", "*", "a.*.*.b", "0.1.2"}) {
    (void)number_in_payload(payload, path);
    (void)text_in_payload(payload, path);
  }
  // The first line as a path into the rest.
  const auto nl = payload.find('\n');
  if (nl != std::string_view::npos) (void)number_in_payload(payload.substr(nl + 1), payload.substr(0, nl));
  return 0;
}
