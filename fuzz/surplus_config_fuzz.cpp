// Any bytes as a surplus daemon configuration: an error or a configuration, never a crash, a hang
// or undefined behaviour; a configuration that parses drives the router for a few cycles.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "surplus/surplus_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wattshare;
  auto doc = parse_json_text(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.json");
  if (!doc) return 0;
  auto c = surplus::parse_surplus_config(*doc, "surplus.json");
  if (!c) return 0;
  surplus::Router router{c->router};
  for (int i = 0; i < 4; ++i) {
    (void)router.step({.time = TimePoint{} + minutes(i), .grid_export_w = 1000.0 * i, .ev_connected = true,
                       .ev_phases = i, .water_temperature_c = 50.0, .battery_w = 1500.0 - 1000 * i,
                       .battery_soc_pct = 25.0 * i});
  }
  return 0;
}
