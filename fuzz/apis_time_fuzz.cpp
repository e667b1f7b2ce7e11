// APIS time strings: parse, and whatever parses formats back to the same text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/apis_time.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wattshare;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto t = parse_apis_time(text, hours(9))) {
    if (format_apis_time(*t, hours(9)) != text) std::abort();
  }
  (void)parse_iso_date(text);
  return 0;
}
