#include "config/community_growth.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/random.hpp"

namespace wattshare {

namespace {

std::string copy_id(const std::string& id, std::size_t copy) {
  return copy == 0 ? id : fmt::format("{}-{}", id, copy + 1);
}

}  // namespace

void grow_community(CommunitySpec& spec, std::size_t units) {
  const std::size_t template_size = spec.units.size();
  if (template_size == 0 || units == template_size) return;
  std::vector<UnitSpec> grown;
  grown.reserve(units);
  for (std::size_t k = 0; k < units; ++k) {
    const std::size_t copy = k / template_size;
    UnitSpec u = spec.units[k % template_size];
    u.id = copy_id(u.id, copy);
    if (!u.bus_parent.empty()) u.bus_parent = copy_id(u.bus_parent, copy);
    if (copy > 0) {
      // Neighbours are alike, not identical: ±15 % consumption, ±1 h rhythm, another charge.
      const double a = uniform01(hash_key(spec.seed, 0x960e, k, 1));
      const double b = uniform01(hash_key(spec.seed, 0x960e, k, 2));
      const double c = uniform01(hash_key(spec.seed, 0x960e, k, 3));
      u.load.annual_kwh *= 0.85 + 0.3 * a;
      u.load.shift_min += std::round(120 * b - 60);
      u.battery.initial_rsoc_pct = std::clamp(30 + 50 * c, u.battery.floor_rsoc_pct, 100.0);
    }
    grown.push_back(std::move(u));
  }
  if (units < template_size) {  // a trimmed tree hangs what lost its parent on the junction
    for (auto& u : grown) {
      const bool kept = std::any_of(grown.begin(), grown.end(),
                                    [&](const UnitSpec& o) { return o.id == u.bus_parent; });
      if (!kept) u.bus_parent.clear();
    }
  }
  std::vector<std::string> members;
  members.reserve(grown.size());
  for (const auto& u : grown) members.push_back(u.id);
  const double copies = static_cast<double>(units) / static_cast<double>(template_size);
  for (auto& u : grown) {
    u.apis.unit.unit_id = u.id;
    u.apis.unit.unit_name = u.id;
    auto& policy = u.apis.policy;
    policy.member_unit_ids = members;
    auto& cap = policy.safety.sum_of_deal_grid_current_max_a;
    cap = std::max(cap, std::ceil(cap * copies));
    // Every house bleeds a little current from the bus, and a large bus bleeds a lot (1,000
    // houses: 0.35 A), which the voltage reference of a lone deal carries on top of the deal and
    // the grid master sees as leakage. Leave room for it as an operator of such a bus would: the
    // leakage allowance of a lone deal's two units covers twice the bleed, and the deal current
    // leaves the reference 1.5 times the bleed below its converter's capacity.
    const double bleed_a =
        static_cast<double>(units) * spec.bleed_siemens * policy.operation_grid_voltage_v;
    auto& allowance = policy.safety.sum_of_dealing_unit_grid_current_allowance_per_unit_a;
    allowance = std::max(allowance, bleed_a);
    auto& deal_a = policy.mediator.deal_grid_current_a;
    const double room_a = std::floor(10 * (u.apis.hw.grid_current_capacity_a - 1.5 * bleed_a)) / 10;
    if (room_a > 0) deal_a = std::min(deal_a, room_a);
  }
  spec.units = std::move(grown);
  reseed(spec, spec.seed);
}

}  // namespace wattshare
