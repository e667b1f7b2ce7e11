// APIS's local safety evaluation after each data acquisition (reference §4.11, "Local"):
// alarms, battery permission, mode/status consistency, mode versus the unit's deals, static
// ranges from hwConfig and dynamic checks per mode (a first violation warns, a repeated one is
// an error). Pure: the caller keeps the repeat counters between calls.
//   auto errors = evaluate_local_safety(data, ctx, counters);
#pragma once

#include <string>
#include <vector>

#include "config/hw_config.hpp"
#include "config/policy.hpp"
#include "core/error.hpp"
#include "devices/unit_data.hpp"

namespace wattshare {

struct LocalSafetyContext {
  const HwConfig* hw = nullptr;
  const Policy* policy = nullptr;
  std::string unit_id;
  OperationMode effective_mode = OperationMode::kStop;
  int deals_as_charge = 0;     // active deals where this unit charges
  int deals_as_discharge = 0;  // active deals where this unit discharges
  // The same among activated deals not yet deactivated (masterSideUnitMustBeActive): only these
  // must agree in direction.
  int active_as_charge = 0;
  int active_as_discharge = 0;
  bool warming_up = false;     // a deal of this unit has not started its CC side yet
  bool is_voltage_reference_side = false;
  bool dynamic_checks_suspended = false;
  bool command_in_progress = false;  // mode and deals may disagree while a command runs
};

struct LocalSafetyCounters {
  int dynamic = 0;  // consecutive dynamic-check violations
  int idle_mode = 0;  // consecutive "not WAIT without deals"
  int direction = 0;  // consecutive "active deals in both directions"
};

std::vector<ApisError> evaluate_local_safety(const UnitData& d, const LocalSafetyContext& c,
                                             LocalSafetyCounters& counters);

}  // namespace wattshare
