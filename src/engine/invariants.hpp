// Safety invariants of energy sharing, checked continuously in simulation against the physics'
// truth: one grid master, no unit on both sides, deal currents within the caps, no CC current
// without a voltage reference, no deal credited more energy than its battery received, no deal
// outliving its grid master. Each violation is counted and described.
//   InvariantChecker check{community, fabric, agents, policy};
//   scheduler.every(seconds(5), [&] { check.run(scheduler.now()); });
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/policy.hpp"
#include "devices/emulated/community.hpp"
#include "engine/in_process_fabric.hpp"
#include "engine/unit_agent.hpp"

namespace wattshare {

struct InvariantViolation {
  TimePoint time;
  std::string what;
};

class InvariantChecker {
 public:
  InvariantChecker(const Community& community, const InProcessFabric& fabric,
                   const std::vector<UnitAgent*>& agents, const Policy& policy);
  void run(TimePoint now);
  // Every disposed deal passes here (the deal-log sink), to account its credited energy.
  void on_disposed(const Deal& d);
  [[nodiscard]] std::size_t count() const { return count_; }
  [[nodiscard]] const std::vector<InvariantViolation>& violations() const { return kept_; }
  // Statistics seen while checking.
  [[nodiscard]] std::size_t max_concurrent_deals() const { return max_deals_; }
  [[nodiscard]] double max_sum_deal_current_a() const { return max_sum_a_; }

 private:
  void violate(TimePoint t, std::string what);

  const Community& community_;
  const InProcessFabric& fabric_;
  std::vector<UnitAgent*> agents_;
  const Policy& policy_;
  std::size_t count_ = 0;
  std::vector<InvariantViolation> kept_;  // the first 100
  std::size_t max_deals_ = 0;
  double max_sum_a_ = 0;
  TimePoint last_master_seen_{};
  // energy credited to disposed deals, per charging unit, and how many such deals
  // (by community index: the check runs at every acquisition of a 1,000-house community)
  std::vector<double> credited_wh_;
  std::vector<int> credited_deals_;
  bool disposed_since_check_ = false;
};

}  // namespace wattshare
