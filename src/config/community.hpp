// The wattshare community file (community.json): the physical houses behind the APIS units —
// where they are, each house's PV, load, battery and converter, and how the DC bus connects
// them. Each unit points at its APIS config.json, whose hwConfig/policy/scenario are loaded
// and cross-checked too. `defaults` apply to every unit; a unit's own entries override them.
//   auto spec = load_community("examples/apis-sample");  // a folder or the file itself
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "config/config_set.hpp"
#include "core/time.hpp"
#include "physics/battery.hpp"
#include "physics/dcdc_converter.hpp"
#include "physics/ev_model.hpp"
#include "physics/household_load.hpp"
#include "physics/solar.hpp"
#include "physics/water_heater.hpp"

namespace wattshare {

struct PvSpec {
  double kwp = 0;             // clear-sky model with the community's weather
  std::string hourly_csv;     // or: replay this hourly file (resolved path), scaled
  double scale = 1.0;
};

struct UnitSpec {
  std::string id;
  ConfigSet apis;  // the unit's four APIS files
  std::string config_path;  // its config.json, when it has one
  PvSpec pv;
  LoadParams load;
  BatteryParams battery;
  DcdcParams dcdc;
  double system_loss_w = 17.5;  // controller, BMS and monitoring (APIS emulator constant)
  double export_limit_w = 0;    // surplus beyond a full battery goes to the utility up to this;
                                // the rest is curtailed
  std::string bus_parent;       // another unit's id, or empty for the bus junction
  double line_resistance_ohm = 0.5;
  // Flexible loads (optional: an APIS config set stays valid without them): "waterHeater" and
  // "ev", in `defaults` or per unit ("ev": null in a unit removes the default's car).
  std::optional<WaterHeaterParams> water_heater;
  std::optional<EvParams> ev;
};

struct CommunitySpec {
  std::string name;
  Location location;
  WeatherParams weather;
  TimePoint start;
  std::uint64_t seed = 1;
  double bleed_siemens = 1e-6;  // per unit node
  std::vector<UnitSpec> units;
  std::string source_path;

  [[nodiscard]] int index_of(const std::string& unit_id) const;
};

// Replaces the community seed and everything derived from it (weather, each house's load).
void reseed(CommunitySpec& spec, std::uint64_t seed);

// `path` is a community.json or a folder holding one.
[[nodiscard]] tl::expected<CommunitySpec, Error> load_community(const std::string& path);
[[nodiscard]] tl::expected<CommunitySpec, Error> parse_community(const Json& doc,
                                                                 const std::string& origin,
                                                                 bool load_apis_files = true);

}  // namespace wattshare
