#include "config/config_set.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace wattshare {

std::vector<std::string> cross_check(const ConfigSet& s) {
  std::vector<std::string> problems;
  if (!s.policy.is_member(s.unit.unit_id))
    problems.push_back(fmt::format("{}: key 'unitId': '{}' is not in memberUnitIds of {}",
                                   s.unit.source_path, s.unit.unit_id, s.policy.source_path));
  if (s.hw.grid_current_capacity_a < s.policy.mediator.deal_grid_current_a)
    problems.push_back(fmt::format(
        "{}: key 'gridCurrentCapacityA': {} A is smaller than one deal current "
        "(mediator.deal.gridCurrentA {} A in {})",
        s.hw.source_path, s.hw.grid_current_capacity_a, s.policy.mediator.deal_grid_current_a,
        s.policy.source_path));
  for (const auto& slice : s.scenario.slices) {
    for (const auto& r : slice.rules) {
      for (const auto* rule : {&r.request, &r.accept_charge, &r.accept_discharge}) {
        if (*rule && (*rule)->pair_unit_id && !s.policy.is_member(*(*rule)->pair_unit_id))
          problems.push_back(fmt::format(
              "{}: key '{}.{}.{}.{}.pairUnitId': '{}' is not in memberUnitIds of {}",
              s.scenario.source_path, slice.key, rule == &r.request ? "request" : "accept",
              r.status, to_string((*rule)->direction), *(*rule)->pair_unit_id,
              s.policy.source_path));
      }
    }
  }
  return problems;
}

std::vector<std::string> cross_warnings(const ConfigSet& s) {
  std::vector<std::string> out;
  for (const auto& slice : s.scenario.slices) {
    // Valid for APIS (no status, so no request or accept up there), but worth knowing.
    double top = -1e300;
    for (const auto& b : slice.bands) top = std::max(top, b.upper_wh.value_or(1e300));
    if (!slice.bands.empty() && top < s.hw.battery_nominal_capacity_wh)
      out.push_back(fmt::format(
          "{}: key '{}.batteryStatus': gap above the last band: no status for {}-{} Wh "
          "(batteryNominalCapacityWh in {}), so no request or accept",
          s.scenario.source_path, slice.key, top, s.hw.battery_nominal_capacity_wh, s.hw.source_path));
  }
  return out;
}

namespace {

template <typename T, typename Load>
tl::expected<T, Error> cached(std::map<std::string, tl::expected<T, Error>>* cache,
                              const std::string& path, Load load) {
  if (cache == nullptr) return load(path);
  auto it = cache->find(path);
  if (it == cache->end()) it = cache->emplace(path, load(path)).first;
  return it->second;
}

}  // namespace

tl::expected<ConfigSet, Error> load_config_set(const std::string& config_json_path,
                                               ConfigCache* cache) {
  auto unit = load_unit_config(config_json_path);
  if (!unit) return tl::unexpected(unit.error());
  ConfigSet set;
  set.unit = std::move(*unit);
  std::string errors;
  auto note = [&](const Error& e) { errors += (errors.empty() ? "" : "\n") + e.message; };
  auto hw = cached(cache ? &cache->hw : nullptr, set.unit.hw_config_file, load_hw_config);
  auto policy = cached(cache ? &cache->policy : nullptr, set.unit.policy_file, load_policy);
  auto scenario = cached(cache ? &cache->scenario : nullptr, set.unit.scenario_file, load_scenario);
  if (hw) set.hw = std::move(*hw); else note(hw.error());
  if (policy) set.policy = std::move(*policy); else note(policy.error());
  if (scenario) set.scenario = std::move(*scenario); else note(scenario.error());
  if (!errors.empty()) return tl::unexpected(Error::invalid_config(errors));
  for (const auto& p : cross_check(set)) note(Error::invalid_config(p));
  if (!errors.empty()) return tl::unexpected(Error::invalid_config(errors));
  set.warnings = all_warnings(set);
  return set;
}

int deal_interlock_capacity(const ConfigSet& set) {
  return std::max(0, static_cast<int>(set.hw.grid_current_capacity_a / set.policy.mediator.deal_grid_current_a));
}

std::vector<std::string> all_warnings(const ConfigSet& set) {
  std::vector<std::string> out = set.unit.warnings;
  out.insert(out.end(), set.policy.warnings.begin(), set.policy.warnings.end());
  out.insert(out.end(), set.scenario.warnings.begin(), set.scenario.warnings.end());
  for (auto& w : cross_warnings(set)) out.push_back(std::move(w));
  return out;
}

}  // namespace wattshare
