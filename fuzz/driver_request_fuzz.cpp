// The emulator's driver protocol end to end (minus the socket): any request line against a
// two-house community. Afterwards the physics must still advance and balance its energy.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "devices/apis_http/driver_server.hpp"
#include "fuzz_lines.hpp"

namespace {

wattshare::CommunitySpec spec() {
  using namespace wattshare;
  CommunitySpec c;
  c.start = from_civil(2021, 6, 1);
  for (const char* id : {"E001", "E002"}) {
    UnitSpec u;
    u.id = id;
    u.pv.kwp = 3;
    c.units.push_back(u);
  }
  reseed(c, 1);
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wattshare;
  static const CommunitySpec kSpec = spec();
  Community community{kSpec};
  DriverServer server{community, [] {}, nullptr};
  // Several requests per input, one per line.
  fuzz::for_each_line(data, size, SIZE_MAX, [&](const std::string& target, std::size_t) {
    const HttpResponse r = server.handle({"GET", target, {}, {}});
    if (r.status != 200 && r.status != 400 && r.status != 404) std::abort();
  });
  community.advance_to(kSpec.start + seconds(90));
  const EnergyTotals t = community.totals();
  if (!(std::abs(t.balance_error_wh()) < 1e-6)) std::abort();
  return 0;
}
