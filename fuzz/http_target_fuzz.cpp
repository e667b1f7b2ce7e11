// Request targets as the driver protocol receives them: decoding, splitting, numbers, modes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/http_message.hpp"
#include "physics/dcdc_converter.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wattshare;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto t = parse_target(text)) {
    (void)split_path(t->path);
    for (const auto& [k, v] : t->query) {
      double d;
      (void)parse_decimal(v, d);
      DcdcMode m;
      (void)parse_mode_code(v, m);
    }
  }
  return 0;
}
