// The SolarEdge site `sunspec-sim` serves: PV and house load from the physics models at community
// time (local `hour` on `start`, at `acceleration`), and `extra_load_w()` drawn on top (twc-sim's
// car, so the meter sees what the charger delivers). Called at every Modbus request.
//   SunSpecServer::listen(host, port, modelled_site(12, 4500, 1, first, 1, [] { return 0.0; }));
#pragma once

#include <functional>

#include "core/time.hpp"
#include "devices/sunspec/solaredge_map.hpp"

namespace wattshare::app {

struct ModelledSite {
  double kwp = 5, load_kwh = 4500;
  std::uint64_t seed = 1;
  TimePoint first;  // the community time at start
  double acceleration = 1;
};

[[nodiscard]] std::function<sunspec::SiteValues()> modelled_site(const ModelledSite& m, std::function<double()> extra_load_w);

}  // namespace wattshare::app
