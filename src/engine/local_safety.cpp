#include "engine/local_safety.hpp"

#include <cmath>

#include <fmt/format.h>

namespace wattshare {
namespace {

ApisError err(ErrorCategory cat, ErrorLevel level, const std::string& unit, std::string msg) {
  return ApisError{cat, ErrorExtent::kLocal, level, unit, std::move(msg)};
}

void range(std::vector<ApisError>& out, const std::string& unit, const char* name, double v,
           const Range& r) {
  if (v < r.min || v > r.max)
    out.push_back(err(ErrorCategory::kHardware, ErrorLevel::kError, unit,
                      fmt::format("dcdc.meter.{} {:.3f} is outside {}..{}", name, v, r.min, r.max)));
}

}  // namespace

std::vector<ApisError> evaluate_local_safety(const UnitData& d, const LocalSafetyContext& c,
                                             LocalSafetyCounters& counters) {
  std::vector<ApisError> out;
  const auto& u = c.unit_id;
  if (d.alarm == AlarmLevel::kHeavy)
    out.push_back(err(ErrorCategory::kHardware, ErrorLevel::kError, u, "dcdc heavy alarm"));
  if (d.battery_status && *d.battery_status != BatteryPermission::kPermit)
    out.push_back(err(ErrorCategory::kHardware, ErrorLevel::kError, u,
                      fmt::format("battery_operation_status {} (operation denied)",
                                  static_cast<int>(*d.battery_status))));
  // Static ranges run in every mode, manual included (as APIS's code does).
  range(out, u, "tmp", d.meter.tmp_c, c.hw->tmp_c);
  range(out, u, "vg", d.meter.vg_v, c.hw->vg_v);
  range(out, u, "vb", d.meter.vb_v, c.hw->vb_v);
  range(out, u, "ig", d.meter.ig_a, c.hw->ig_a);
  range(out, u, "ib", d.meter.ib_a, c.hw->ib_a);

  const int deals = c.deals_as_charge + c.deals_as_discharge;
  const bool stopping_mode =
      c.effective_mode == OperationMode::kStop || c.effective_mode == OperationMode::kManual;
  if (deals > 0 && stopping_mode)
    out.push_back(err(ErrorCategory::kUser, ErrorLevel::kError, u,
                      fmt::format("{} deal(s) while the effective mode is {}", deals,
                                  to_string(c.effective_mode))));
  // LocalSafetyEvaluation.isCorrectDealsDirection_: activated deals only (a fresh deal the other
  // way waits for this one to end; it is no error), a WARN the first time, then ERROR.
  if (c.active_as_charge > 0 && c.active_as_discharge > 0) {
    const ErrorLevel level = ++counters.direction > 1 ? ErrorLevel::kError : ErrorLevel::kWarn;
    out.push_back(err(ErrorCategory::kLogic, level, u, "invalid deals direction: active deals in both directions at once"));
  } else {
    counters.direction = 0;
  }
  if (c.effective_mode == OperationMode::kManual) return out;

  // Mode versus deals.
  if (c.command_in_progress) {
    counters.idle_mode = 0;
  } else if (deals == 0) {
    if (d.mode != DcdcMode::kWait) {
      const ErrorLevel level = ++counters.idle_mode > 1 ? ErrorLevel::kError : ErrorLevel::kWarn;
      out.push_back(err(ErrorCategory::kHardware, level, u,
                        fmt::format("converter in {} without any deal", mode_code(d.mode))));
    } else {
      counters.idle_mode = 0;
    }
  } else {
    counters.idle_mode = 0;
    const bool ok = d.mode == DcdcMode::kVoltageReference ||
                    (d.mode == DcdcMode::kCharge && c.deals_as_charge > 0) ||
                    (d.mode == DcdcMode::kDischarge && c.deals_as_discharge > 0) ||
                    (d.mode == DcdcMode::kWait && c.warming_up);
    if (!ok)
      out.push_back(err(ErrorCategory::kHardware, ErrorLevel::kError, u,
                        fmt::format("converter in {} does not match its deals", mode_code(d.mode))));
  }

  if (c.dynamic_checks_suspended) return out;
  const auto& p = *c.policy;
  const double i_tol = c.hw->grid_current_allowance_a;
  std::string violation;
  switch (d.mode) {
    case DcdcMode::kWait:
      if (std::abs(d.meter.ig_a) > i_tol)
        violation = fmt::format("ig {:.3f} A in WAIT (allowance {} A)", d.meter.ig_a, i_tol);
      break;
    case DcdcMode::kVoltageReference:
      if (std::abs(d.meter.vg_v - d.dvg_v) > p.grid_voltage_allowance_v)
        violation = fmt::format("vg {:.1f} V vs dvg {:.1f} V", d.meter.vg_v, d.dvg_v);
      break;
    case DcdcMode::kCharge:
    case DcdcMode::kDischarge: {
      const double want = d.mode == DcdcMode::kCharge ? d.param.dig_a : -d.param.dig_a;
      if (std::abs(d.meter.ig_a - want) > i_tol)
        violation = fmt::format("ig {:.3f} A vs {:.3f} A", d.meter.ig_a, want);
      else if (d.meter.vg_v < p.operation_grid_voltage_min_v ||
               d.meter.vg_v > p.operation_grid_voltage_max_v)
        violation = fmt::format("vg {:.1f} V outside {}..{} V", d.meter.vg_v,
                                p.operation_grid_voltage_min_v, p.operation_grid_voltage_max_v);
      break;
    }
  }
  if (violation.empty()) {
    counters.dynamic = 0;
  } else {
    const ErrorLevel level = ++counters.dynamic > 1 ? ErrorLevel::kError : ErrorLevel::kWarn;
    out.push_back(err(ErrorCategory::kHardware, level, u, "dynamic check: " + violation));
  }
  return out;
}

}  // namespace wattshare
