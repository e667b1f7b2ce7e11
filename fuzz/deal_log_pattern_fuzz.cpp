// dealLogDirFormat patterns (Java date patterns from a unit's config.json): formatted or refused
// with a message, never a crash; a pattern of quoted text only comes back as that text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "store/deal_log_files.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wattshare;
  const std::string_view pattern(reinterpret_cast<const char*>(data), size);
  const DateFields date{2026, 12, 3, 23, 10, 8};
  auto out = format_date_pattern(pattern, date, "/tmp");
  if (!out && out.error().message.empty()) std::abort();
  // ("''" alone is an escaped quote, not empty quoted text.)
  if (pattern.size() >= 3 && pattern.front() == '\'' && pattern.back() == '\'' &&
      pattern.substr(1, pattern.size() - 2).find('\'') == std::string_view::npos &&
      pattern.find("{tmpdir}") == std::string_view::npos) {
    if (!out || *out != pattern.substr(1, pattern.size() - 2)) std::abort();
  }
  return 0;
}
