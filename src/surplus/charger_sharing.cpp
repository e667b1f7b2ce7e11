#include "surplus/charger_sharing.hpp"

#include <algorithm>
#include <cmath>

namespace wattshare::surplus {

std::vector<double> share_charger_current(double total_a, const std::vector<ChargerDemand>& chargers, double min_a,
                                          std::size_t first) {
  std::vector<double> limits(chargers.size(), 0.0);
  if (chargers.empty() || !(total_a >= min_a) || !(min_a > 0)) return limits;
  const bool any_car = std::any_of(chargers.begin(), chargers.end(), [](const ChargerDemand& c) { return c.car; });
  // Candidates in turn order, starting at `first`.
  std::vector<std::size_t> turn;
  for (std::size_t k = 0; k < chargers.size(); ++k) {
    const std::size_t i = (first + k) % chargers.size();
    if ((chargers[i].car || !any_car) && chargers[i].max_a >= min_a) turn.push_back(i);
  }
  const auto served = std::min(turn.size(), static_cast<std::size_t>(std::floor(total_a / min_a + 1e-9)));
  double left = total_a;
  for (std::size_t k = 0; k < served; ++k) {
    limits[turn[k]] = min_a;
    left -= min_a;
  }
  // The rest in whole amperes, one at a time round the served chargers, up to their maximum.
  for (bool gave = true; gave && left >= 1.0 - 1e-9;) {
    gave = false;
    for (std::size_t k = 0; k < served && left >= 1.0 - 1e-9; ++k) {
      double& l = limits[turn[k]];
      if (l + 1.0 > chargers[turn[k]].max_a + 1e-9) continue;
      l += 1.0;
      left -= 1.0;
      gave = true;
    }
  }
  return limits;
}

}  // namespace wattshare::surplus
