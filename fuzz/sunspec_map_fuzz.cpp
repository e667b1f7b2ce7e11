// A SunSpec register map from a device: the fuzz bytes as big-endian registers from 40000, with
// and without a valid "SunS" marker in front. The chain walk must refuse what does not fit and
// never read past the registers it was given.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "devices/sunspec/sunspec_model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wattshare::sunspec;
  std::vector<std::uint16_t> regs;
  for (std::size_t i = 0; i + 1 < size; i += 2) regs.push_back(static_cast<std::uint16_t>((data[i] << 8) | data[i + 1]));
  (void)parse_sunspec(regs, 40000);
  regs.insert(regs.begin(), {kMarkerHi, kMarkerLo});
  auto r = parse_sunspec(regs, 40000);
  if (r) {
    for (const auto& m : r->models) {
      if (m.address + 2u + m.length > 40000u + regs.size()) std::abort();
    }
  }
  return 0;
}
