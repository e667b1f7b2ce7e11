#include "config/hw_config.hpp"

#include <fmt/format.h>

#include "core/json_fields.hpp"

namespace wattshare {
namespace {

Range read_range(JsonFields& f, const std::string& key) {
  Range r{f.number(key + ".min"), f.number(key + ".max")};
  if (f.find(key + ".min") && f.find(key + ".max") && r.min > r.max)
    f.fail(key, fmt::format("min {} is above max {}", r.min, r.max));
  return r;
}

}  // namespace

tl::expected<HwConfig, Error> parse_hw_config(const Json& doc, const std::string& origin) {
  JsonFields f{doc, origin};
  if (!f.root_is_object()) return tl::unexpected(f.failure());
  HwConfig c;
  c.source_path = origin;
  c.refreshing_period_ms = f.integer_or("refreshingPeriodMsec", 5000);
  c.battery_nominal_capacity_wh = f.number("batteryNominalCapacityWh");
  c.grid_current_capacity_a = f.number("gridCurrentCapacityA");
  c.grid_current_allowance_a = f.number("gridCurrentAllowanceA");
  c.droop_ratio = f.number("droopRatio");
  c.efficient_battery_grid_voltage_ratio = f.optional_number("efficientBatteryGridVoltageRatio");
  const std::string meter = "safety.range.dcdc.meter";
  c.tmp_c = read_range(f, meter + ".tmp");
  c.vg_v = read_range(f, meter + ".vg");
  c.vb_v = read_range(f, meter + ".vb");
  c.ig_a = read_range(f, meter + ".ig");
  c.ib_a = read_range(f, meter + ".ib");
  if (f.find("batteryNominalCapacityWh") && c.battery_nominal_capacity_wh <= 0)
    f.fail("batteryNominalCapacityWh",
           fmt::format("must be > 0 Wh, got {}", c.battery_nominal_capacity_wh));
  if (f.find("gridCurrentCapacityA") && c.grid_current_capacity_a <= 0)
    f.fail("gridCurrentCapacityA", fmt::format("must be > 0 A, got {}", c.grid_current_capacity_a));
  if (c.grid_current_allowance_a < 0)
    f.fail("gridCurrentAllowanceA",
           fmt::format("must be >= 0 A, got {}", c.grid_current_allowance_a));
  if (c.droop_ratio < 0 || c.droop_ratio >= 1)
    f.fail("droopRatio", fmt::format("must be in [0, 1), got {}", c.droop_ratio));
  if (c.refreshing_period_ms <= 0)
    f.fail("refreshingPeriodMsec", fmt::format("must be > 0, got {}", c.refreshing_period_ms));
  if (!f.ok()) return tl::unexpected(f.failure());
  return c;
}

tl::expected<HwConfig, Error> load_hw_config(const std::string& path) {
  return load_json_file(path).and_then(
      [&](const Json& doc) { return parse_hw_config(doc, path); });
}

}  // namespace wattshare
