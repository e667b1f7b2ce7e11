// The Fabric inside one process: agents are called directly, in virtual time, in unit-id order
// (deterministic). Units can be made unreachable (crash) to test fail-over; the deal table,
// interlocks and grid-master lease behave like their distributed counterparts (compare-and-set,
// fencing tokens, lease expiry).
//   InProcessFabric fabric{policy};  fabric.join(agent);  ...
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <string>
#include <vector>

#include "engine/fabric.hpp"

namespace wattshare {

class UnitAgent;

class InProcessFabric final : public Fabric {
 public:
  explicit InProcessFabric(const Policy& policy);

  void join(UnitAgent& agent);
  // Every disposed deal that is worth logging, once.
  void on_deal_log(std::function<void(const Deal&)> sink) { deal_log_ = std::move(sink); }
  [[nodiscard]] UnitAgent* agent(const std::string& unit) const;
  [[nodiscard]] std::uint64_t deals_created() const { return deals_created_; }
  [[nodiscard]] std::size_t deal_count() const { return deals_.size(); }
  // Every successful write to the deal table (tests follow deal states with it).
  void on_deal_update(std::function<void(const Deal&)> observer) { observer_ = std::move(observer); }

  const std::vector<std::string>& members() const override { return members_; }
  bool reachable(const std::string& unit) const override;
  std::size_t reachable_members() const override;
  Task<std::vector<Offer>> negotiate(const Offer& request, Duration timeout) override;
  std::vector<Deal> deals() const override;
  std::optional<Deal> deal(const std::string& deal_id) const override;
  void for_each_deal(const std::function<void(const Deal&)>& visit) const override;
  bool visit_deal(const std::string& deal_id,
                  const std::function<void(const Deal&)>& visit) const override;
  bool put_if_absent(const Deal& d) override;
  bool update(Deal& d) override;
  bool remove(const std::string& deal_id) override;
  void need_to_stop(const std::string& deal_id, const std::string& reason) override;
  std::vector<std::string> take_need_to_stop(const std::string& deal_id) override;
  void log_deal(const Deal& d) override;
  bool acquire_interlock(const std::string& unit, const std::string& deal_id) override;
  void release_interlock(const std::string& unit, const std::string& deal_id) override;
  bool has_local_errors(const std::string& unit) const override;
  std::optional<std::uint64_t> acquire_grid_master(const std::string& unit, TimePoint now,
                                                   Duration ttl) override;
  bool renew_grid_master(const std::string& unit, std::uint64_t token, TimePoint now,
                         Duration ttl) override;
  void release_grid_master(const std::string& unit, std::uint64_t token) override;
  void activate_grid_master(const std::string& unit) override;
  void reset_all(const std::string& reason) override;
  void shutdown_all(const std::string& reason) override;
  std::optional<GridMasterLease> grid_master(TimePoint now) const override;
  Task<DeviceResult> control(const std::string& unit, ControlCommand command,
                             std::uint64_t token) override;
  DeviceResult unit_data(const std::string& unit, bool fresh, std::uint64_t token) override;
  void market_changed(const std::string& unit, bool gained) override;
  std::uint64_t market_epoch() const override { return market_epoch_; }
  OperationMode global_mode() const override { return global_mode_; }
  void set_global_mode(OperationMode m) override {
    global_mode_ = m;
    ++market_epoch_;
  }
  void publish_global_error(const ApisError& e) override { global_errors_.push_back(e); }
  std::vector<ApisError> take_global_errors() override;
  bool has_global_errors() override { return !global_errors_.empty(); }
  void hold_after_global_errors(TimePoint until) override { error_hold_until_ = until; }
  bool global_errors_held(TimePoint now) const override { return now < error_hold_until_; }

 private:
  std::vector<std::string> members_;
  std::unordered_map<std::string, UnitAgent*> agents_;
  std::vector<UnitAgent*> by_member_;  // aligned with members_ (sorted ids), for broadcasts
  std::unordered_map<std::string, std::size_t> member_index_;
  // Members that would answer, per request type, in unit-id order: a broadcast asks only them
  // (every other member would answer "no"), which keeps 1,000-unit negotiations cheap.
  std::set<std::size_t> offering_[2];
  // The deal table in creation order (create time, id), with an index by id (map iterators stay
  // valid until their entry is erased).
  using DealTable = std::map<std::pair<TimePoint, std::string>, Deal>;
  DealTable deals_;
  std::unordered_map<std::string, DealTable::iterator> by_id_;
  std::map<std::string, std::vector<std::string>> need_to_stop_;
  std::optional<GridMasterLease> lease_;
  std::uint64_t next_token_ = 1;
  OperationMode global_mode_;
  std::vector<ApisError> global_errors_;
  TimePoint error_hold_until_{};
  std::function<void(const Deal&)> deal_log_;
  std::uint64_t deals_created_ = 0;
  std::function<void(const Deal&)> observer_;
  std::uint64_t market_epoch_ = 1;
  std::vector<char> running_;  // aligned with members_: running as last told (market_changed)
  std::size_t reachable_ = 0;  // how many of them
};

}  // namespace wattshare
