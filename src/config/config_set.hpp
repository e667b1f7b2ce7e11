// The four APIS files of one unit, loaded together and checked against each other: the unit is a
// policy member, its scenario's pairUnitIds are members, its converter can carry one deal
// current, and its battery bands cover its battery.
//   auto set = load_config_set("examples/apis-sample/units/E001/config.json");
#pragma once

#include <map>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "config/hw_config.hpp"
#include "config/policy.hpp"
#include "config/scenario.hpp"
#include "config/unit_config.hpp"

namespace wattshare {

struct ConfigSet {
  UnitConfig unit;
  HwConfig hw;
  Policy policy;
  Scenario scenario;
  // What APIS loads with a WARN, from every file of the set and across them.
  std::vector<std::string> warnings;
};

// Cross-file problems, one message per problem (empty when consistent).
std::vector<std::string> cross_check(const ConfigSet& set);
// Cross-file cases APIS accepts (a battery range above the scenario's last band).
std::vector<std::string> cross_warnings(const ConfigSet& set);
// Interlocking.dealInterlockCapacity: how many deals the unit may carry at once,
// floor(hwConfig gridCurrentCapacityA / policy mediator.deal.gridCurrentA).
int deal_interlock_capacity(const ConfigSet& set);
// Every file's warnings and the cross-file ones: what ConfigSet::warnings holds.
std::vector<std::string> all_warnings(const ConfigSet& set);

// Files shared by many units (one policy for a whole cluster) are parsed once per cache.
struct ConfigCache {
  std::map<std::string, tl::expected<HwConfig, Error>> hw;
  std::map<std::string, tl::expected<Policy, Error>> policy;
  std::map<std::string, tl::expected<Scenario, Error>> scenario;
};

[[nodiscard]] tl::expected<ConfigSet, Error> load_config_set(const std::string& config_json_path,
                                                             ConfigCache* cache = nullptr);

}  // namespace wattshare
