// Safety invariants of energy sharing, checked continuously in simulation against the physics'
// truth: one grid master, no unit on both sides, deal currents within the caps, no CC current
// without a voltage reference, no deal credited more energy than its battery received, no deal
// outliving its grid master. Each violation is counted and described. What it reads besides the
// physics (the deal table, the grid masters acting) comes through `InvariantSubject`: the
// in-process engine's agents, or a cluster's etcd seen from outside.
//   InvariantChecker check{community, subject, policy};
//   scheduler.every(seconds(5), [&] { check.run(scheduler.now()); });
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "config/policy.hpp"
#include "devices/emulated/community.hpp"
#include "engine/deal.hpp"

namespace wattshare {

struct InvariantViolation {
  TimePoint time;
  std::string what;
};

struct GridMastersActing {
  int count = 0;
  TimePoint last_loop{};  // the latest main loop of one of them; epoch: unknown
};

class InvariantSubject {
 public:
  virtual ~InvariantSubject() = default;
  [[nodiscard]] virtual std::size_t deal_count() const = 0;
  virtual void for_each_deal(const std::function<void(const Deal&)>& visit) const = 0;
  [[nodiscard]] virtual GridMastersActing grid_masters_acting() const = 0;
};

class InvariantChecker {
 public:
  InvariantChecker(const Community& community, const InvariantSubject& subject, const Policy& policy);
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
  const InvariantSubject& subject_;
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
