// APIS policy.json: the cluster-wide rules every unit must share (reference §2.4). All keys are
// read with APIS's defaults; inconsistent values are refused with the key that is wrong.
//   auto policy = load_policy("examples/apis-sample/policy.json");
#pragma once

#include <map>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "core/error.hpp"
#include "core/json_file.hpp"
#include "core/time.hpp"

namespace wattshare {

enum class OperationMode { kAutonomous, kHeteronomous, kStop, kManual };
std::string_view to_string(OperationMode m);
[[nodiscard]] tl::expected<OperationMode, Error> parse_operation_mode(std::string_view s);

enum class DealSide { kChargeUnit, kDischargeUnit };
std::string_view to_string(DealSide s);

enum class GridMasterSelection { kVoltageReferenceUnit, kFixed, kAnywhere };
std::string_view to_string(GridMasterSelection s);

struct Branch {
  std::string id;
  std::vector<std::string> forward_unit_ids;
  std::vector<std::string> backward_unit_ids;
  double current_capacity_a = 0;
};

struct Policy {
  // What APIS loads with a WARN (an unsupported masterDealSelection), one line each.
  std::vector<std::string> warnings;
  long long refreshing_period_ms = 5000;
  OperationMode operation_mode = OperationMode::kStop;
  std::vector<std::string> member_unit_ids;
  std::vector<std::string> large_capacity_unit_ids;
  double operation_grid_voltage_v = 350;
  double operation_grid_voltage_min_v = 300;
  double operation_grid_voltage_max_v = 380;
  double grid_voltage_separation_v = 10;
  double grid_voltage_allowance_v = 4;
  double grid_voltage_drop_allowance_v = 20;
  double grid_current_step_a = 1;
  double grid_uvlo_mask_v = 10;

  struct Safety {
    double sum_of_dealing_unit_grid_current_allowance_per_unit_a = 0.125;
    double sum_of_deal_grid_current_max_a = 100;
    bool topology_enabled = false;
    std::vector<Branch> branches;
  } safety;

  long long helo_period_ms = 5000;

  struct Controller {
    int checkpoint_retry_limit = 3;
    long long checkpoint_retry_wait_ms = 100;
    long long first_ramp_up_timeout_ms = 180000;
    int authorization_trials = 3;
    long long scram_voltage_reference_delay_ms = 5000;
    long long stop_me_timeout_ms = 60000;
    long long stop_me_check_period_ms = 1000;
    long long data_acquisition_period_ms = 5000;
    long long request_timeout_ms = 5000;
    int retry_limit = 3;
  } controller;

  struct User {
    long long error_handling_period_ms = 1000;
    long long error_sustaining_ms = 30000;
    long long house_keeping_period_ms = 60000;
  } user;

  struct Mediator {
    double deal_grid_current_a = 1;
    double deal_amount_min_wh = 50;
    double deal_amount_max_wh = 50;
    double deal_amount_unit_wh = 50;
    long long negotiation_timeout_ms = 2000;
    long long deal_logging_period_ms = 5000;
  } mediator;

  struct GridMaster {
    DealSide voltage_reference_side = DealSide::kChargeUnit;
    bool take_over_dvg_actual = false;  // "theoretical" (false) | "actual" (true)
    std::string master_deal_selection = "newestDeal";
    GridMasterSelection selection = GridMasterSelection::kVoltageReferenceUnit;
    std::string fixed_unit_id;
    long long interlock_inconsistency_retry_wait_ms = 2000;
    long long absence_ensure_wait_ms = 5000;
    double discharge_unit_lower_limit_rsoc = 20;
    double charge_unit_upper_limit_rsoc = 95;
    DealSide reference_side = DealSide::kChargeUnit;
    int reset_limit = 3;
    int compensation_limit_of_trials = 3;
    double compensation_drift_allowance_a = 0.03;
    bool grid_voltage_optimization_enabled = false;
    long long helo_period_ms = 5000;
    long long data_collection_period_ms = 5000;
    long long data_collection_timeout_ms = 2000;
    long long main_loop_period_ms = 5000;
    long long error_sustaining_ms = 30000;
  } grid_master;

  std::string source_path;

  [[nodiscard]] bool is_member(const std::string& unit_id) const;
  // The fail-safe at the device: how long a unit's driver may hear nothing from its node before
  // it puts the converter to Waiting by itself. Two grid-master main loops (the grid master
  // commands a deal's converters at least once a loop), and never under two of the node's data
  // acquisitions (a live node asks for its data at that pace, deal or no deal).
  [[nodiscard]] Duration device_watchdog() const;
};

[[nodiscard]] tl::expected<Policy, Error> parse_policy(const Json& doc, const std::string& origin);
[[nodiscard]] tl::expected<Policy, Error> load_policy(const std::string& path);

}  // namespace wattshare
