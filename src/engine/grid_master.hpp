// The grid master (reference §4.5-§4.9): one per cluster, on the unit holding the lease. Every
// main-loop period it handles global errors, drives each deal one step through its state machine
// (activation, ramp-up, authorization, compensation, cumulation, stop, deactivation with
// voltage-reference hand-over, abortion, disposal), checks global safety and moves itself to the
// voltage-reference unit. It owns no deal state: everything lives in the fabric's deal table,
// and every device command carries its lease token.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/task.hpp"
#include "engine/deal.hpp"
#include "engine/device_controller.hpp"

namespace wattshare {

class UnitAgent;
class Fabric;
struct Policy;

class GridMaster : public std::enable_shared_from_this<GridMaster> {
 public:
  GridMaster(UnitAgent& host, std::uint64_t token);
  // Whether a main loop is running now (it holds references into its host's policy).
  [[nodiscard]] bool looping() const { return looping_; }
  void start();
  void stop();
  [[nodiscard]] std::uint64_t token() const { return token_; }
  [[nodiscard]] std::uint64_t loops() const { return loops_; }
  // New deals left for the next loop because this one had spent its activation budget.
  [[nodiscard]] std::uint64_t activations_deferred() const { return activations_deferred_; }
  [[nodiscard]] TimePoint last_loop_end() const { return last_loop_end_; }
  // The last time it read or commanded a unit (a long loop is alive all along).
  [[nodiscard]] TimePoint last_activity() const { return last_activity_; }
  [[nodiscard]] bool stopped() const { return !life_->alive(); }

 private:
  Task<void> main_loop();
  bool renew();
  Task<void> handle_global_errors();
  Task<void> scram(const std::string& reason);
  Task<void> process(Deal d);
  Task<void> activate(Deal d);
  Task<void> ramp_up(Deal d);
  Task<void> authorize(Deal d);
  Task<void> compensate(Deal d);
  Task<void> cumulate(Deal d);
  Task<void> stop_slave(Deal& d);
  Task<void> deactivate(Deal d, bool aborting = false);
  Task<void> abort(Deal d, std::string reason);
  Task<bool> move_voltage_reference(const std::string& from, const std::string& to);
  void dispose(Deal& d);
  void reset(Deal d, const std::string& reason);
  void global_safety();
  void ensure();
  Task<void> optimize_grid_voltage();

  Task<DeviceResult> command(const std::string& unit, ControlCommand c);
  bool refresh(const std::string& unit);
  bool save(Deal& d);
  [[nodiscard]] std::optional<std::string> voltage_reference_unit() const;
  [[nodiscard]] const std::string& master_unit(const Deal& d) const;  // the VR side of a deal
  [[nodiscard]] const std::string& slave_unit(const Deal& d) const;
  [[nodiscard]] double other_compensated_a(const std::string& unit, const std::string& except) const;
  [[nodiscard]] double cc_current_a(const std::string& unit, const std::string& except) const;
  // The voltage reference's ig the deal table implies (`joining` counted as fully started).
  [[nodiscard]] double expected_vr_ig_a(const std::string& vr, const Deal* joining) const;
  [[nodiscard]] int other_active_deals(const std::string& unit, const std::string& except) const;
  // Σ deal current of the started, not stopped deals of `unit` (cached, see the .cpp).
  double running_current_a(const std::string& unit);
  // policy.largeCapacityUnitIds: units preferred as the voltage reference.
  [[nodiscard]] bool large_capacity(const std::string& unit) const;
  // Some deal other than `except` is between activation and start, or between stop and
  // deactivation: no voltage-reference flip or move then.
  [[nodiscard]] bool transitional_deal(const std::string& except) const;
  // Where a new deal's voltage reference goes, and whether the reference moves there from
  // another unit (reference §4.6, large-capacity logic).
  struct MasterPlan {
    std::string master;
    std::optional<std::string> move_from;
  };
  [[nodiscard]] MasterPlan plan_master(const Deal& d, bool first);
  [[nodiscard]] TimePoint now_of(const std::string& unit) const;
  void raise_global(ErrorCategory c, ErrorLevel l, const std::string& message);
  bool fail_point(Deal& d, FailPoint p);
  // A testFeature.dcdc fail point set at `p`: the deal is aborted there, named as APIS names it.
  Task<bool> failed_at(Deal& d, FailPoint p);
  void abortion_failed(Deal d);

  UnitAgent& host_;
  Fabric& fabric_;
  const Policy& policy_;
  std::uint64_t token_;
  Lifetime life_;
  TimerId timer_ = kNoTimer;
  bool looping_ = false;
  std::uint64_t loops_ = 0;
  std::uint64_t activations_deferred_ = 0;
  TimePoint last_loop_end_{};
  TimePoint last_activity_{};
  // This loop's view of every unit; hashed, as the loop looks units up once per deal and step.
  std::unordered_map<std::string, UnitData> data_;
  // Units in deals that answered no data request, loops in a row, and why: a unit that stays
  // reachable but keeps refusing ends its deals after kDataRefusalLimit loops.
  struct DataRefusal {
    int loops = 0;
    std::string why;
  };
  static constexpr int kDataRefusalLimit = 3;
  std::unordered_map<std::string, DataRefusal> data_refusals_;
  std::vector<Deal> deals_;                // this loop's snapshot
  std::unordered_set<std::string_view> dealing_;  // units in deals_ (views into deals_)
  std::vector<std::string> active_before_;
  std::unordered_map<std::string, double> running_a_;  // running_current_a's index
  bool running_a_built_ = false;
  int leakage_violations_ = 0;
  bool global_error_ = false;
};

}  // namespace wattshare
