#include "engine/device_controller.hpp"

#include <cmath>

#include <fmt/format.h>

namespace wattshare {

std::string_view to_string(ControlKind k) {
  switch (k) {
    case ControlKind::kWait: return "WAIT";
    case ControlKind::kVoltageReference: return "VOLTAGE_REFERENCE";
    case ControlKind::kCharge: return "CHARGE";
    case ControlKind::kDischarge: return "DISCHARGE";
    case ControlKind::kCurrent: return "current";
    case ControlKind::kVoltage: return "voltage";
    case ControlKind::kWillHandOver: return "voltageReferenceWillHandOver";
    case ControlKind::kWillTakeOver: return "voltageReferenceWillTakeOver";
    case ControlKind::kDidHandOver: return "voltageReferenceDidHandOver";
    case ControlKind::kDidTakeOver: return "voltageReferenceDidTakeOver";
    case ControlKind::kScram: return "scram";
    case ControlKind::kAuthorized: return "voltageReferenceAuthorization";
  }
  return "WAIT";
}

DeviceController::DeviceController(Dcdc& dcdc, Scheduler& scheduler, const Policy& policy,
                                   const HwConfig& hw, Lifetime life)
    : dcdc_(dcdc), scheduler_(scheduler), policy_(&policy), hw_(&hw), life_(std::move(life)) {}

Task<DeviceResult> DeviceController::set(DcdcCommand c) {
  if (c.dig_a && (*c.dig_a < 0 || *c.dig_a > hw_->grid_current_capacity_a + 1e-9))
    co_return tl::unexpected(Error::bad_input(fmt::format(
        "current {} A is outside 0-{} A (gridCurrentCapacityA)", *c.dig_a,
        hw_->grid_current_capacity_a)));
  auto r = dcdc_.set(c);
  if (!r) co_return r;
  // APIS verifies the driver's operationMode string against the mode it set.
  if (c.mode && r->mode != *c.mode)
    co_return tl::unexpected(Error::internal(fmt::format(
        "converter reports {} after setting {}", mode_name(r->mode), mode_code(*c.mode))));
  co_return r;
}

Task<DeviceResult> DeviceController::checkpoint(std::optional<double> vg_v,
                                                std::optional<double> ig_a) {
  const auto& cp = policy_->controller;
  DeviceResult last = tl::unexpected(Error::timeout("checkpoint not polled"));
  const int polls = std::max(1, cp.checkpoint_retry_limit);
  for (int i = 0; i < polls; ++i) {
    co_await sleep_for(scheduler_, milliseconds(cp.checkpoint_retry_wait_ms), life_);
    last = dcdc_.read();
    if (!last) continue;
    const bool v_ok = !vg_v || std::abs(last->meter.vg_v - *vg_v) <= policy_->grid_voltage_allowance_v;
    const bool i_ok = !ig_a || std::abs(last->meter.ig_a - *ig_a) <= hw_->grid_current_allowance_a;
    // A negative retry limit forces failure (APIS's test hook).
    if (v_ok && i_ok && cp.checkpoint_retry_limit >= 0) co_return last;
  }
  if (!last) co_return last;
  co_return tl::unexpected(Error::must_retry(fmt::format(
      "checkpoint failed: vg {:.1f} V (want {}), ig {:.3f} A (want {})", last->meter.vg_v,
      vg_v ? fmt::format("{:.1f}", *vg_v) : "any", last->meter.ig_a,
      ig_a ? fmt::format("{:.3f}", *ig_a) : "any")));
}

// Moves dig toward `target_a` by at most gridCurrentStepA per set, checking each step.
Task<DeviceResult> DeviceController::step_current(double target_a, double sign) {
  auto now = dcdc_.read();
  if (!now) co_return now;
  double dig = now->param.dig_a;
  const double step = policy_->grid_current_step_a;
  DeviceResult r = now;
  while (std::abs(target_a - dig) > 1e-9) {
    dig = std::abs(target_a - dig) <= step ? target_a : dig + (target_a > dig ? step : -step);
    r = co_await set(DcdcCommand{std::nullopt, std::nullopt, dig, std::nullopt});
    if (!r) co_return r;
    r = co_await checkpoint(std::nullopt, sign * dig);
    if (!r) co_return r;
  }
  co_return r;
}

Task<DeviceResult> DeviceController::start_cc(DcdcMode mode, double current_a) {
  const double dvg = mode == DcdcMode::kCharge ? policy_->operation_grid_voltage_v
                                               : policy_->operation_grid_voltage_max_v;
  const double sign = mode == DcdcMode::kCharge ? 1.0 : -1.0;
  const double step = policy_->grid_current_step_a;
  const double first = current_a >= step ? step : current_a;
  auto r = co_await set(DcdcCommand{mode, dvg, first, 0.0});
  if (!r) co_return r;
  r = co_await checkpoint(std::nullopt, sign * first);
  if (!r) co_return r;
  co_return co_await step_current(current_a, sign);
}

Task<DeviceResult> DeviceController::wait(bool hard) {
  suspended_ = false;
  auto now = dcdc_.read();
  if (!now) co_return now;
  if (!hard) {
    // Ramp down first; failures of the ramp are ignored, as APIS does.
    if (now->mode == DcdcMode::kVoltageReference) {
      const double low = policy_->operation_grid_voltage_min_v + policy_->grid_voltage_separation_v;
      if ((co_await set(DcdcCommand{std::nullopt, low, std::nullopt, std::nullopt})).has_value())
        (void)co_await checkpoint(low, std::nullopt);
    } else if (now->mode == DcdcMode::kCharge || now->mode == DcdcMode::kDischarge) {
      (void)co_await step_current(0.0, now->mode == DcdcMode::kCharge ? 1.0 : -1.0);
    }
  }
  co_return co_await set(DcdcCommand{DcdcMode::kWait, policy_->operation_grid_voltage_v, 0.0, 0.0});
}

Task<DeviceResult> DeviceController::execute(ControlCommand c) {
  ++busy_;
  struct Idle {
    int& n;
    ~Idle() { --n; }
  } idle{busy_};
  const double capacity = hw_->grid_current_capacity_a;
  switch (c.kind) {
    case ControlKind::kWait: co_return co_await wait(false);
    case ControlKind::kScram: co_return co_await wait(false);
    case ControlKind::kVoltageReference:
      suspended_ = true;
      co_return co_await set(
          DcdcCommand{DcdcMode::kVoltageReference, policy_->operation_grid_voltage_v, capacity, 0.0});
    case ControlKind::kCharge:
      suspended_ = false;
      co_return co_await start_cc(DcdcMode::kCharge, c.grid_current_a);
    case ControlKind::kDischarge:
      suspended_ = false;
      co_return co_await start_cc(DcdcMode::kDischarge, c.grid_current_a);
    case ControlKind::kCurrent: {
      auto now = dcdc_.read();
      if (!now) co_return now;
      const double sign = now->mode == DcdcMode::kDischarge ? -1.0 : 1.0;
      co_return co_await step_current(c.grid_current_a, sign);
    }
    case ControlKind::kVoltage: {
      auto r = co_await set(DcdcCommand{std::nullopt, c.grid_voltage_v, std::nullopt, std::nullopt});
      if (!r) co_return r;
      co_return co_await checkpoint(c.grid_voltage_v, std::nullopt);
    }
    case ControlKind::kAuthorized: {
      auto r = co_await set(DcdcCommand{std::nullopt, c.grid_voltage_v, std::nullopt, std::nullopt});
      if (r) r = co_await checkpoint(c.grid_voltage_v, std::nullopt);
      suspended_ = false;
      co_return r;
    }
    case ControlKind::kWillHandOver:
      suspended_ = true;
      co_return co_await set(DcdcCommand{std::nullopt, std::nullopt, std::nullopt, hw_->droop_ratio});
    case ControlKind::kWillTakeOver:
      suspended_ = true;
      co_return co_await set(DcdcCommand{DcdcMode::kVoltageReference, c.grid_voltage_v, capacity,
                                         hw_->droop_ratio});
    case ControlKind::kDidHandOver:
      suspended_ = false;
      if (!c.then) co_return co_await wait(true);
      co_return co_await start_cc(
          *c.then == DealDirection::kCharge ? DcdcMode::kCharge : DcdcMode::kDischarge,
          c.grid_current_a);
    case ControlKind::kDidTakeOver: {
      auto r = co_await set(DcdcCommand{std::nullopt, std::nullopt, std::nullopt, 0.0});
      suspended_ = false;
      co_return r;
    }
  }
  co_return tl::unexpected(Error::bad_input("unknown control command"));
}

}  // namespace wattshare
