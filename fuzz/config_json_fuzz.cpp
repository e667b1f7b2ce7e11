// Any bytes as each APIS config file kind and as a community file: an error or a value, never
// a crash, a hang or undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/community.hpp"
#include "config/hw_config.hpp"
#include "config/policy.hpp"
#include "config/scenario.hpp"
#include "config/unit_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wattshare;
  auto doc = parse_json_text(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.json");
  if (!doc) return 0;
  (void)parse_policy(*doc, "policy.json");
  (void)parse_hw_config(*doc, "hwConfig.json");
  (void)parse_unit_config(*doc, "config.json");
  if (auto s = parse_scenario(*doc, "scenario.json")) {
    for (const auto& slice : s->slices) (void)slice.band_for(1234.5);
    (void)s->slice_at("12:00:00");
  }
  (void)parse_community(*doc, "community.json", false);
  return 0;
}
