// Scope dumps: any text gives an error or a whole number of records whose CSV has one line per
// record plus the header.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "p2p/scope.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wattshare::p2p;
  auto r = parse_scope_dump(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!r) return 0;
  if (r->names.empty() || r->values.size() % r->names.size() != 0) std::abort();
  const std::string csv = to_csv(*r);
  if (static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n')) != r->records() + 1) std::abort();
  return 0;
}
