// A small community for engine tests: the apis-sample units with chosen starting RSoC, no PV and
// a light load (so battery statuses stay put), in virtual time, with every engine event kept.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/community.hpp"
#include "core/sim_scheduler.hpp"
#include "devices/emulated/community.hpp"
#include "engine/sharing_engine.hpp"

namespace wattshare::test {

class EngineFixture : public ::testing::Test {
 protected:
  // rsoc per unit, e.g. {{"E001", 95}, {"E002", 40}}; only these units take part.
  void build(const std::map<std::string, double>& rsoc,
             std::optional<OperationMode> mode = OperationMode::kAutonomous) {
    auto loaded = load_community(std::string(WATTSHARE_SOURCE_DIR) + "/examples/apis-sample");
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
    spec_ = *loaded;
    std::vector<UnitSpec> kept;
    std::vector<std::string> members;
    for (auto& u : spec_.units) {
      if (!rsoc.count(u.id)) continue;
      u.battery.initial_rsoc_pct = rsoc.at(u.id);
      u.pv.scale = 0;
      u.load.annual_kwh = 200;  // about 23 W: statuses change only through deals
      u.load.spikes_per_day = 0;
      u.system_loss_w = 0;
      u.bus_parent.clear();  // a star: every unit on the junction
      members.push_back(u.id);
      kept.push_back(u);
    }
    for (auto& u : kept) {
      // One deal slot per unit (floor(1.5 A / 1 A)): one deal at a time is easy to follow.
      u.apis.hw.grid_current_capacity_a = 1.5;
      u.apis.policy.member_unit_ids = members;
      u.apis.policy.safety.topology_enabled = false;
      u.apis.policy.safety.branches.clear();
      u.apis.policy.large_capacity_unit_ids.clear();
    }
    spec_.units = kept;
    spec_.start = start_;
    for (auto& u : spec_.units) tweak(u);
    community_ = std::make_unique<Community>(spec_);
    scheduler_ = std::make_unique<SimScheduler>(spec_.start);
    AgentHooks hooks;
    hooks.event = [this](const std::string& unit, const std::string& what) {
      events_.push_back(unit + " " + what);
    };
    hooks.error = [this](const ApisError& e) { errors_.push_back(format_apis_error(e)); };
    engine_ = std::make_unique<SharingEngine>(*community_, *scheduler_, spec_, hooks);
    engine_->on_deal_log([this](const Deal& d) { logged_.push_back(d); });
    engine_->fabric().on_deal_update([this](const Deal& d) {
      auto& seq = states_[d.deal_id];
      if (seq.empty() || seq.back() != d.state()) seq.push_back(d.state());
    });
    engine_->start(mode);
  }
  // Per-unit adjustments before the community is built (scenario, policy).
  virtual void tweak(UnitSpec&) {}

  void TearDown() override {
    if (engine_) engine_->shutdown(scheduler_.get());
  }

  std::size_t index(const std::string& id) const {
    return static_cast<std::size_t>(community_->index_of(id));
  }
  DcdcMode mode_of(const std::string& id) const { return community_->converter(index(id)).mode(); }
  bool any_event(const std::string& fragment) const {
    for (const auto& e : events_)
      if (e.find(fragment) != std::string::npos) return true;
    return false;
  }
  // Whether deal `id`'s latest state is `state`.
  bool in_state(const std::string& id, DealState state) const {
    const auto it = states_.find(id);
    return it != states_.end() && !it->second.empty() && it->second.back() == state;
  }
  // E001 and E002 alone, in heteronomous mode (no deal of their own), a grid master elected,
  // then a deal of `wh` from E001 to E002 carrying APIS's test feature `p`: its id, or "" with
  // the failure recorded.
  std::string inject_flagged_deal(FailPoint p, long long wh) {
    build({{"E001", 70}, {"E002", 70}}, OperationMode::kHeteronomous);
    scheduler_->run_for(seconds(10));
    auto id = engine_->inject_deal("E001", "E002", wh, 1.0, static_cast<std::uint16_t>(p));
    if (id) return *id;
    ADD_FAILURE() << id.error().message;
    return {};
  }
  // Injects a deal of `wh` at 1 A (the grid master runs it in any mode) and runs until it has
  // started; false (with the failure recorded) if it did not within five minutes.
  bool start_injected_deal(const std::string& discharge_unit, const std::string& charge_unit, long long wh) {
    auto id = engine_->inject_deal(discharge_unit, charge_unit, wh, 1.0, 0);
    if (!id) {
      ADD_FAILURE() << id.error().message;
      return false;
    }
    if (run_until([&] { return in_state(*id, DealState::kStarted); }, minutes(5))) return true;
    ADD_FAILURE() << "deal " << *id << " did not start";
    return false;
  }
  // Runs until `done` or the limit; true if `done` came first.
  template <typename Done>
  bool run_until(Done done, Duration limit) {
    const TimePoint end = scheduler_->now() + limit;
    while (scheduler_->now() < end) {
      scheduler_->run_for(seconds(1));
      if (done()) return true;
    }
    return false;
  }

  TimePoint start_ = from_civil(2021, 3, 1) + hours(3);  // noon in Okinawa
  CommunitySpec spec_;
  std::unique_ptr<Community> community_;
  std::unique_ptr<SimScheduler> scheduler_;
  std::unique_ptr<SharingEngine> engine_;
  std::vector<std::string> events_, errors_;
  std::vector<Deal> logged_;
  std::map<std::string, std::vector<DealState>> states_;
};

}  // namespace wattshare::test
