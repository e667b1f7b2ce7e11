// APIS hwConfig.json: one unit's battery size, converter current capacity and the static safety
// ranges of its DC/DC measurements (reference §2.3).
//   auto hw = load_hw_config("examples/apis-sample/hwConfig.json");
#pragma once

#include <optional>
#include <string>

#include <tl/expected.hpp>

#include "core/error.hpp"
#include "core/json_file.hpp"

namespace wattshare {

struct Range {
  double min = 0;
  double max = 0;
  [[nodiscard]] bool contains(double v) const { return v >= min && v <= max; }
};

struct HwConfig {
  long long refreshing_period_ms = 5000;
  double battery_nominal_capacity_wh = 0;
  double grid_current_capacity_a = 0;
  double grid_current_allowance_a = 0;
  double droop_ratio = 0;
  std::optional<double> efficient_battery_grid_voltage_ratio;
  Range tmp_c, vg_v, vb_v, ig_a, ib_a;  // safety.range.dcdc.meter.*
  std::string source_path;
};

[[nodiscard]] tl::expected<HwConfig, Error> parse_hw_config(const Json& doc,
                                                            const std::string& origin);
[[nodiscard]] tl::expected<HwConfig, Error> load_hw_config(const std::string& path);

}  // namespace wattshare
