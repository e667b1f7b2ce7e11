// One unit's APIS agent (reference §3.2): the controller (data acquisition, local safety, fenced
// device commands), the user (scenario, house keeping, error collection and handling) and the
// mediator (negotiation, deal creation under interlocks). It may host the grid master. It reads
// time only from its Scheduler and talks to other units only through the Fabric.
//   UnitAgent agent{"E001", scheduler, fabric, dcdc, config, hooks};
//   agent.start(first_tick);
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/config_set.hpp"
#include "core/clock.hpp"
#include "core/task.hpp"
#include "devices/dcdc.hpp"
#include "engine/device_controller.hpp"
#include "engine/fabric.hpp"
#include "engine/local_safety.hpp"

namespace wattshare {

class GridMaster;

// What the agent reports to its surroundings (logs, counters); all optional.
struct AgentHooks {
  std::function<void(const ApisError&)> error;  // every error raised, WARN included
  std::function<void(const std::string& unit, const std::string& what)> event;
  // The local mode was set (APIS keeps it in its state file: stateFileFormat).
  std::function<void(std::optional<OperationMode>)> local_mode;
};

// A unit's local mode is none, heteronomous or stop (reference §7).
tl::expected<void, Error> check_local_mode(std::optional<OperationMode> m);

class UnitAgent {
 public:
  UnitAgent(std::string unit_id, Scheduler& scheduler, Fabric& fabric, Dcdc& dcdc,
            const ConfigSet& config, Duration utc_offset, std::uint64_t seed, AgentHooks hooks = {});
  ~UnitAgent();
  UnitAgent(const UnitAgent&) = delete;
  UnitAgent& operator=(const UnitAgent&) = delete;

  // Starts the periodic work; acquisitions at `phase` + k x period. With `spread`, house keeping
  // and grid-master watching get a per-unit offset (as independent machines would); without
  // it every unit ticks in step, in unit order, which a simulation runs fastest.
  void start(TimePoint phase, bool spread = true);
  // Stops everything at once, as a crash would (timers cancelled, running procedures end at
  // their next wait, nothing is cleaned up on the device).
  void crash();
  [[nodiscard]] bool running() const { return running_; }

  // --- called through the fabric ---
  std::optional<Offer> on_request(const Offer& request);
  // Whether this unit would answer requests of this type now: it may deal (free slot, no errors,
  // autonomous) and has an accept offer (on_request may still refuse for pairing).
  [[nodiscard]] bool offers_accept(DealDirection request_type) const;
  Task<DeviceResult> on_control(ControlCommand command, std::uint64_t token);
  DeviceResult on_data(bool fresh, std::uint64_t token);
  bool acquire_interlock(const std::string& deal_id);
  void release_interlock(const std::string& deal_id);
  [[nodiscard]] bool has_errors() const;
  // ResetLocal / ResetAll: resign the grid master; drop the deal interlocks when in no deal.
  void reset(const std::string& reason);
  // ShutdownLocal / ShutdownAll: stop this unit's deals, WAIT, resign, stop running.
  void shut_down(const std::string& reason);

  // --- state, for the shell and tests ---
  [[nodiscard]] const std::string& id() const { return id_; }
  [[nodiscard]] const std::optional<UnitData>& data() const { return data_; }
  [[nodiscard]] std::optional<OperationMode> local_mode() const { return local_mode_; }
  // null (follow global), heteronomous or stop.
  [[nodiscard]] tl::expected<void, Error> set_local_mode(std::optional<OperationMode> m);
  [[nodiscard]] OperationMode effective_mode() const;
  [[nodiscard]] bool hosts_grid_master() const { return grid_master_ != nullptr; }
  [[nodiscard]] const GridMaster* grid_master() const { return grid_master_.get(); }
  [[nodiscard]] std::size_t interlocks() const { return interlocks_.size(); }
  [[nodiscard]] int interlock_capacity() const { return capacity_; }
  [[nodiscard]] std::uint64_t highest_token() const { return highest_token_; }
  // Whether the dynamic local checks (|vg - dvg|, mode against deals) are off right now.
  [[nodiscard]] bool dynamic_checks_suspended() const { return controller_.dynamic_checks_suspended(); }
  [[nodiscard]] const std::vector<ApisError>& recent_errors() const { return recent_errors_; }
  [[nodiscard]] std::uint64_t rejected_commands() const { return rejected_commands_; }
  [[nodiscard]] std::uint64_t negotiations() const { return negotiations_; }
  [[nodiscard]] const ConfigSet& config() const { return config_; }
  [[nodiscard]] Scheduler& scheduler() { return scheduler_; }
  [[nodiscard]] Fabric& fabric() { return fabric_; }
  [[nodiscard]] Duration utc_offset() const { return utc_offset_; }
  // This unit's procedures' lifetime (ended by crash()): what runs for it elsewhere is spawned with it.
  [[nodiscard]] const Lifetime& lifetime() const { return life_; }
  // The grid master hosted here resigns (its lease is released).
  void drop_grid_master();
  // Takes the grid-master lease and starts the grid master here, if the lease is free.
  bool take_grid_master();
  // Raise an error as this unit (used by the grid master for global errors too).
  void raise(const ApisError& e);
  void note(const std::string& what);
  // A change to this unit's configuration (ConfigReloader), made at the next moment nothing
  // holds a reference into it (no negotiation, no grid-master loop running); what is derived
  // from the configuration is then derived again. `what` is noted when it is made.
  void change_config(std::string what, std::function<void()> change);

 private:
  void acquire();
  void house_keeping();
  void handle_errors();
  void arm_error_handling();  // schedules handle_errors() if errors wait and none is due
  void watch_grid_master();
  Task<void> negotiate(Offer request);
  void finish_shutdown(const std::string& reason);
  Task<void> stop_local(std::string reason);
  bool may_deal() const;
  std::string new_deal_id();
  // This unit's deals as the charge and the discharge side (not deactivated), and into
  // `context` the same among activated ones and whether one is warming up.
  std::pair<int, int> deal_directions(LocalSafetyContext* context = nullptr) const;
  void apply_config_changes();
  // Raises "deal abortion failed" for each new failed abortion of one of this unit's deals.
  void report_failed_abortions();

  std::string id_;
  Scheduler& scheduler_;
  Fabric& fabric_;
  Dcdc& dcdc_;
  const ConfigSet& config_;
  Duration utc_offset_;
  std::uint64_t seed_;
  AgentHooks hooks_;
  Lifetime life_;
  DeviceController controller_;
  std::vector<TimerId> timers_;
  bool running_ = false;

  std::optional<UnitData> data_;
  // What this unit would accept, per request direction, from its present data (refreshed with
  // every acquisition: the scenario depends only on the data's time and remaining energy).
  void refresh_accepts();
  void note_market();
  int market_signature_ = -1;
  struct FailedRequest {  // the last request that found no taker, and the market it met
    DealDirection type;
    std::optional<std::string> pair_unit_id;
    std::uint64_t epoch;
    // The scenario rule it came from: the same slice and battery band make the same request.
    const TimeSlice* slice = nullptr;
    const BatteryBand* band = nullptr;
    [[nodiscard]] bool is(const Offer& r) const {
      return type == r.type && pair_unit_id == r.pair_unit_id;
    }
  };
  std::optional<FailedRequest> failed_request_;
  const TimeSlice* request_slice_ = nullptr;  // the rule of the request being negotiated
  const BatteryBand* request_band_ = nullptr;
  std::optional<Offer> accept_for_charge_, accept_for_discharge_;
  // What the accepts above were made from: the same slice and remaining Wh give the same offers
  // (only their voltage and time move), so most acquisitions skip rebuilding them.
  const TimeSlice* accepts_slice_ = nullptr;
  double accepts_remaining_wh_ = -1;
  std::optional<OperationMode> local_mode_;
  std::set<std::string> interlocks_;
  std::map<std::string, int> abortion_failures_seen_;  // by deal id, for this unit's deals
  std::vector<std::pair<std::string, std::function<void()>>> config_changes_;  // not yet made
  int capacity_ = 1;
  std::uint64_t highest_token_ = 0;
  TimePoint last_grid_master_contact_{};
  LocalSafetyCounters safety_counters_;
  std::vector<ApisError> pending_errors_;  // LOCAL, ERROR and above, not yet handled
  std::vector<ApisError> recent_errors_;   // the last few, for display
  TimePoint errors_until_{};
  bool handling_errors_ = false;
  std::optional<TimerId> error_timer_;  // the one pending error-handling wake-up
  bool negotiating_ = false;
  bool shutdown_ = false;
  std::uint64_t deal_seq_ = 0;
  std::uint64_t rejected_commands_ = 0;
  std::uint64_t negotiations_ = 0;
  TimePoint grid_master_missing_since_{};
  std::shared_ptr<GridMaster> grid_master_;  // shared: its running main loop keeps it alive
};

}  // namespace wattshare
