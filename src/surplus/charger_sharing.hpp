// The router's EV current shared among several chargers (TWC Gen2 slaves on one line): each car
// gets a whole minimum current or nothing, never a split below what a car needs (two chargers
// sharing 8 A would get 4 A each and neither car would charge). As many cars as the current
// carries get `min_a`, the rest of the current goes to them in turn up to each charger's
// maximum; when not every car can be served, who is first rotates (`first`), so each car takes
// its turn. With no car known on any charger, every charger is offered current the same way, as
// TWCManager does: a car in 00 ("may or may not be plugged in") only shows itself by drawing.
//   auto limits = share_charger_current(13, {{true, 32}, {true, 32}}, 6, 0);  // {7, 6}
#pragma once

#include <cstddef>
#include <vector>

namespace wattshare::surplus {

struct ChargerDemand {
  bool car = false;   // a car is known to be plugged in
  double max_a = 0;   // what the charger may give (its rating)
};

// Limits in the order of `chargers`; the sum never exceeds `total_a`.
std::vector<double> share_charger_current(double total_a, const std::vector<ChargerDemand>& chargers, double min_a,
                                          std::size_t first);

}  // namespace wattshare::surplus
