// Grows (or trims) a community to a given number of houses, for scale studies and the
// 1,000-unit benchmark: "what if our community were this big".
//   grow_community(spec, 1000);  // oist-19 → 1,000 houses, 53 copies of its bus tree
// Copies repeat the template's houses with new ids `<id>-<copy>`, each copy of the bus tree a
// new set of feeders at the junction; loads, load shifts and initial charges vary per copy
// (seeded), and the bus-wide current cap (sumOfDealGridCurrentMaxA) scales with the copies; the
// leakage allowance and the deal current leave room for the bus's bleed, which grows with it.
#pragma once

#include <cstddef>

#include "config/community.hpp"

namespace wattshare {

void grow_community(CommunitySpec& spec, std::size_t units);

}  // namespace wattshare
