// APIS's controller command set on one unit's converter (reference §4.8): WAIT with stepping,
// VOLTAGE_REFERENCE, CHARGE / DISCHARGE with current stepping, current, voltage, the four
// voltage-reference hand-over steps and scram, each verified by checkpoints polled in virtual
// time. The grid master awaits these through the fabric; nothing here knows about deals.
//   auto r = co_await controller.execute({ControlKind::kCharge, .grid_current_a = 1});
#pragma once

#include <optional>
#include <string_view>

#include <tl/expected.hpp>

#include "config/hw_config.hpp"
#include "config/policy.hpp"
#include "config/scenario.hpp"
#include "core/task.hpp"
#include "devices/dcdc.hpp"

namespace wattshare {

enum class ControlKind {
  kWait,
  kVoltageReference,
  kCharge,
  kDischarge,
  kCurrent,            // grid_current_a
  kVoltage,            // grid_voltage_v
  kWillHandOver,       // old VR: droop on
  kWillTakeOver,       // new VR: CV at grid_voltage_v with droop
  kDidHandOver,        // old VR: to CC at grid_current_a (side by `then`), or WAIT
  kDidTakeOver,        // new VR: droop off
  kScram,
  // Voltage reference: back to grid_voltage_v at the end of its authorization, which resumes
  // the dynamic checks suspended since VOLTAGE_REFERENCE (APIS's VoltageReferenceAuthorization
  // stops ignoring them when it ends). Last, so the wire numbers of the others stay.
  kAuthorized,
};
std::string_view to_string(ControlKind k);

struct ControlCommand {
  ControlKind kind = ControlKind::kWait;
  double grid_current_a = 0;
  double grid_voltage_v = 0;
  // kDidHandOver: what the old voltage reference becomes.
  std::optional<DealDirection> then;
};

using DeviceResult = tl::expected<UnitData, Error>;

class DeviceController {
 public:
  DeviceController(Dcdc& dcdc, Scheduler& scheduler, const Policy& policy, const HwConfig& hw,
                   Lifetime life);

  Task<DeviceResult> execute(ControlCommand command);
  // Dynamic local safety checks are suspended during VR start, authorization and hand-over.
  [[nodiscard]] bool dynamic_checks_suspended() const { return suspended_ || busy_ > 0; }
  // A command is in progress (its mode changes are not yet reflected in the deals).
  [[nodiscard]] bool busy() const { return busy_ > 0; }
  void update_config(const Policy& policy, const HwConfig& hw) {
    policy_ = &policy;
    hw_ = &hw;
  }

 private:
  Task<DeviceResult> set(DcdcCommand c);
  // Polls status until |vg - v| <= allowance and |ig - i| <= allowance (either may be absent).
  Task<DeviceResult> checkpoint(std::optional<double> vg_v, std::optional<double> ig_a);
  Task<DeviceResult> step_current(double target_a, double sign);
  Task<DeviceResult> start_cc(DcdcMode mode, double current_a);
  Task<DeviceResult> wait(bool hard);

  Dcdc& dcdc_;
  Scheduler& scheduler_;
  const Policy* policy_;
  const HwConfig* hw_;
  Lifetime life_;

 public:
  // A restarted unit's new lifetime: procedures of the crashed one stay ended.
  void set_lifetime(Lifetime life) { life_ = std::move(life); }
  bool suspended_ = false;
  int busy_ = 0;
};

}  // namespace wattshare
