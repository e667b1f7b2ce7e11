// Hourly CSV profiles: an error or a profile whose every value can be read back.
#include <cstddef>
#include <cstdint>
#include <string>

#include "physics/hourly_profile.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wattshare;
  if (auto p = HourlyProfile::parse(std::string(reinterpret_cast<const char*>(data), size), "f.csv")) {
    for (int day = 1; day <= 366; day += 73)
      for (double minute = 0; minute < 1440; minute += 97) (void)p->power_w(day, minute);
  }
  return 0;
}
