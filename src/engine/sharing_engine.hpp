// The energy-sharing engine over an emulated community in one process: one UnitAgent per unit
// on an InProcessFabric, each driving its own EmulatedDcdc, plus the invariant checker. The
// simulation, the emulator and the dashboard all run it; `wattshare node` will run one agent.
//   SharingEngine engine{community, scheduler, spec};
//   engine.start(OperationMode::kAutonomous);  scheduler.run_for(hours(24));
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/community.hpp"
#include "core/sim_scheduler.hpp"
#include "devices/emulated/community.hpp"
#include "devices/emulated/emulated_dcdc.hpp"
#include "engine/in_process_fabric.hpp"
#include "engine/invariants.hpp"
#include "engine/unit_agent.hpp"

namespace wattshare {

struct EngineStats {
  std::uint64_t deals_created = 0;
  std::uint64_t deals_completed = 0;  // reached their amount and were disposed normally
  std::uint64_t deals_aborted = 0;
  std::uint64_t deals_scrammed = 0;
};

class SharingEngine final : public InvariantSubject {
 public:
  SharingEngine(Community& community, Scheduler& scheduler, const CommunitySpec& spec,
                AgentHooks hooks = {});
  ~SharingEngine() override;

  // Starts every agent in `mode` (nullopt: the policy's operationMode).
  void start(std::optional<OperationMode> mode = std::nullopt);
  // Stops every agent and lets the procedures in flight unwind (call before destruction while
  // the scheduler still runs).
  void shutdown(SimScheduler* drain = nullptr);

  void on_deal_log(std::function<void(const Deal&)> sink) { deal_sink_ = std::move(sink); }
  // An externally made deal between two units, as APIS's apis-web /deal and apis-tester inject
  // them (the grid master executes it even in heteronomous mode). Takes both interlocks.
  [[nodiscard]] tl::expected<std::string, Error> inject_deal(const std::string& discharge_unit,
                                                             const std::string& charge_unit,
                                                             long long amount_wh, double current_a,
                                                             std::uint16_t fail_points = 0);
  [[nodiscard]] InProcessFabric& fabric() { return fabric_; }
  [[nodiscard]] UnitAgent& agent(std::size_t i) { return *agents_[i]; }
  [[nodiscard]] std::size_t size() const { return agents_.size(); }
  [[nodiscard]] const InvariantChecker& invariants() const { return *checker_; }
  [[nodiscard]] EngineStats stats() const {
    EngineStats s = stats_;
    s.deals_created = fabric_.deals_created();
    return s;
  }
  [[nodiscard]] UnitAgent* grid_master_host();

  // What the invariant checker reads.
  [[nodiscard]] std::size_t deal_count() const override { return fabric_.deal_count(); }
  void for_each_deal(const std::function<void(const Deal&)>& visit) const override { fabric_.for_each_deal(visit); }
  [[nodiscard]] GridMastersActing grid_masters_acting() const override;

 private:
  Community& community_;
  Scheduler& scheduler_;
  const CommunitySpec& spec_;
  InProcessFabric fabric_;
  std::vector<std::unique_ptr<EmulatedDcdc>> devices_;
  std::vector<std::unique_ptr<UnitAgent>> agents_;
  std::unique_ptr<InvariantChecker> checker_;
  std::function<void(const Deal&)> deal_sink_;
  TimerId check_timer_ = kNoTimer;
  EngineStats stats_;
  int injected_ = 0;
};

}  // namespace wattshare
