// The sharing side of a cluster of node processes seen from outside, through etcd: what the
// dashboard of `wattshare demo --processes` reads and writes. One watch on the cluster's prefix
// keeps a cache of the members' records (each node's modes, recent errors and last data), the
// deal table, the grid master and the global mode; disposed deals' records (`log/`) go to the
// history once each. Writes go to etcd: the global mode (`mode`) and a unit's local mode
// (`local/<unit>`, applied by that unit's node). The invariants are checked against the physics
// next to it: the emulated community every node's driver serves.
//   auto view = ClusterSharingView::open(endpoint, "apis-sample", community, policy, post);
//   scheduler.every(seconds(5), [&] { (*view)->check_invariants(scheduler.now()); });
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/sharing_view.hpp"
#include "cluster/etcd_client.hpp"
#include "cluster/etcd_watch.hpp"
#include "engine/invariants.hpp"

namespace wattshare::cluster {

class ClusterSharingView final : public SharingView, public InvariantSubject {
 public:
  using Post = std::function<void(std::function<void()>)>;

  // Reads the cluster as it is and starts the watch; `post` runs its events on the caller's loop,
  // the only thread that touches the cache.
  [[nodiscard]] static tl::expected<std::unique_ptr<ClusterSharingView>, Error> open(
      EtcdEndpoint etcd, const std::string& cluster, const Community& physics, const Policy& policy, Post post);
  ~ClusterSharingView() override;

  AgentView agent(std::size_t unit) const override;
  void for_each_deal(const std::function<void(const Deal&)>& visit) const override;
  OperationMode global_mode() const override { return mode_; }
  tl::expected<void, Error> set_global_mode(OperationMode m) override;
  tl::expected<void, Error> set_local_mode(std::size_t unit, std::optional<OperationMode> m) override;
  EngineStats stats() const override { return stats_; }
  std::size_t invariant_violations() const override { return checker_.count(); }
  void on_deal_record(DealRecordSink sink) override { sink_ = std::move(sink); }

  std::size_t deal_count() const override { return deals_.size(); }
  GridMastersActing grid_masters_acting() const override;
  void check_invariants(TimePoint now);
  [[nodiscard]] const InvariantChecker& invariants() const { return checker_; }
  [[nodiscard]] std::size_t members_online() const;

 private:
  ClusterSharingView(EtcdEndpoint etcd, const std::string& cluster, const Community& physics, const Policy& policy);
  void on_events(const std::vector<WatchEvent>& events);
  void on_event(const WatchEvent& ev);
  void on_log_record(const std::string& deal_id, const Json& record);

  // After the watch missed compacted history: everything in `state` (every key now), nothing else.
  void replace_all(const std::vector<WatchEvent>& state);

  EtcdClient etcd_;
  std::string prefix_;
  const Community& physics_;
  std::vector<std::optional<AgentView>> members_;  // by community index; empty: not in the cluster
  std::map<std::string, Deal> deals_;
  std::optional<std::string> grid_master_;
  OperationMode mode_;
  EngineStats stats_;
  std::set<std::string> recorded_;  // deal ids whose record went to the sink
  DealRecordSink sink_;
  InvariantChecker checker_;
  TimePoint checking_at_{};
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // handlers posted after the end skip
  std::unique_ptr<EtcdWatch> watch_;  // last: stopped first
};

}  // namespace wattshare::cluster
