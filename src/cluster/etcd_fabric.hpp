// The Fabric across processes and machines, on etcd (v3, JSON gateway), for `wattshare node`:
// one unit per process. Under /wattshare/<cluster>/:
//   members/<unit>        the unit's record on its node lease: a dead node disappears with it
//   policy                the cluster's policy (no lease: it outlives its writer; a node with
//                         another one is refused at start)
//   gm                    the grid master, on its own lease; its create revision is the fencing token
//   deals/<id>            the deal table; compare-and-set on the key's mod revision
//   interlock/<unit>/<k>  deal interlock slot k of a unit (compare-and-set on absence)
//   stop/<deal>/<n>, mode, global_errors/<id>, log/<deal> (on a lease of an hour)
//   local/<unit>          the operator's local mode for a unit (absent: none)
//   from/<unit>/...       what one node says to others, under its own name (its outbox):
//     negotiation/<id>, answer/<requester>/<id>       request broadcast and accepts
//     rpc/<unit>/<id>, reply/<caller>/<id>             commands, data requests, activation
//     broadcast/<id>                                   reset or shutdown of every unit
//   admin/broadcast/<id>  the same from the cluster's operator
// Who said what is the key's writer, not the value's claim: with etcd's auth on (`wattshare
// cluster init-auth`), a node may write only its own record and outbox plus the shared deal
// keys, so a node obeys a command, an activation or a broadcast only from the outbox of the
// current grid master, and a command only with that grid master's token as etcd holds it now.
// Answers and replies live on a message lease renewed by rotation (15 to 30 s): read within
// milliseconds, they then expire without a round trip.
// One watch on the whole prefix feeds caches and handlers; handlers run on the node's loop
// through `post`. Requests that need an answer from another node block at most `rpc_timeout`
// (data) or poll in the scheduler (commands, negotiations), so the loop keeps running.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cluster/etcd_client.hpp"
#include "cluster/etcd_watch.hpp"
#include "engine/fabric.hpp"

namespace wattshare {
class UnitAgent;
}

namespace wattshare::cluster {

struct EtcdFabricOptions {
  EtcdEndpoint etcd;
  std::string cluster = "default";
  std::string unit_id;
  int interlock_capacity = 1;
  std::chrono::seconds member_ttl{3};
  std::chrono::milliseconds rpc_timeout{2000};
  // How often a procedure waiting for other nodes' answers looks, on the node's clock: 2 ms of
  // real time (an accelerated clock scales it, or the waits would spin).
  Duration poll = milliseconds(2);
  Duration utc_offset = hours(9);
  std::string policy_json;  // the policy file as this node read it, compared with the cluster's
};

class EtcdFabric final : public Fabric {
 public:
  using Post = std::function<void(std::function<void()>)>;

  // Registers the unit (refused if its id is alive elsewhere), checks the policy, starts the
  // watch and the lease keep-alive. `post` runs a handler on the node's loop.
  [[nodiscard]] static tl::expected<std::unique_ptr<EtcdFabric>, Error> join(EtcdFabricOptions o, const Policy& policy,
                                                                             Scheduler& scheduler, Post post);
  ~EtcdFabric() override;
  // A fabric that has not joined (no membership, no watch): `replay` feeds it a watch's events,
  // as the watch would. For tests and the fuzzer of what anyone can write into etcd.
  [[nodiscard]] static std::unique_ptr<EtcdFabric> unjoined(EtcdFabricOptions o, const Policy& policy, Scheduler& scheduler,
                                                            Post post);
  void replay(std::vector<WatchEvent> events) { on_events(std::move(events)); }

  // The local agent (constructed after the fabric, which it needs).
  void attach(UnitAgent& agent);
  // Every deal record logged by a grid master that involves this unit (the node's deal log).
  void on_deal_log(std::function<void(const Json&)> sink);
  // Leaves: revokes the node's lease (its keys go at once) and stops the watch.
  void leave();
  [[nodiscard]] bool etcd_reachable() const { return etcd_ok_; }
  [[nodiscard]] std::uint64_t rejected_stale_commands() const { return rejected_stale_; }

  const std::vector<std::string>& members() const override { return members_; }
  bool reachable(const std::string& unit) const override;
  Task<std::vector<Offer>> negotiate(const Offer& request, Duration timeout) override;
  std::vector<Deal> deals() const override;
  std::optional<Deal> deal(const std::string& deal_id) const override;
  void for_each_deal(const std::function<void(const Deal&)>& visit) const override;
  bool put_if_absent(const Deal& d) override;
  bool update(Deal& d) override;
  bool remove(const std::string& deal_id) override;
  void need_to_stop(const std::string& deal_id, const std::string& reason) override;
  std::vector<std::string> take_need_to_stop(const std::string& deal_id) override;
  void log_deal(const Deal& d) override;
  bool acquire_interlock(const std::string& unit, const std::string& deal_id) override;
  void release_interlock(const std::string& unit, const std::string& deal_id) override;
  bool has_local_errors(const std::string& unit) const override;
  std::optional<std::uint64_t> acquire_grid_master(const std::string& unit, TimePoint now, Duration ttl) override;
  bool renew_grid_master(const std::string& unit, std::uint64_t token, TimePoint now, Duration ttl) override;
  void release_grid_master(const std::string& unit, std::uint64_t token) override;
  void activate_grid_master(const std::string& unit) override;
  void reset_all(const std::string& reason) override;
  void shutdown_all(const std::string& reason) override;
  std::optional<GridMasterLease> grid_master(TimePoint now) const override;
  Task<DeviceResult> control(const std::string& unit, ControlCommand command, std::uint64_t token) override;
  DeviceResult unit_data(const std::string& unit, bool fresh, std::uint64_t token) override;
  // The market epoch (as InProcessFabric's): every member's market counter (its gains), as
  // published in its record, plus joins, leaves and mode changes. A request that found no taker is not
  // repeated until it changes (as in one process; a member that did not answer in time is
  // heard again at the next change, which in a community comes soon).
  void market_changed(const std::string& unit, bool gained) override;
  std::uint64_t market_epoch() const override;
  OperationMode global_mode() const override;
  void set_global_mode(OperationMode m) override;
  void publish_global_error(const ApisError& e) override;
  std::vector<ApisError> take_global_errors() override;
  bool has_global_errors() override;
  // The hold is the key error_hold (its end, in ms), so every node sees it through its watch.
  void hold_after_global_errors(TimePoint until) override;
  bool global_errors_held(TimePoint now) const override;

  // Publishes this unit's record (errors, capacity, modes, its latest data) on the node lease;
  // once per data acquisition: the grid master reads the data of units outside deals from it.
  void publish_member();

 private:
  EtcdFabric(EtcdFabricOptions o, const Policy& policy, Scheduler& scheduler, Post post);
  tl::expected<void, Error> register_member();
  void keep_alive_loop(std::stop_token stop);
  void on_events(std::vector<WatchEvent> events);
  // After the watch missed compacted history: the state read again; its revision (0: failed).
  std::int64_t resync();
  void on_event(const WatchEvent& ev);
  void on_outbox_event(const std::string& writer, const std::string& rest, bool put, const WatchEvent& ev);
  void handle_request(const std::string& from, const std::string& id, const Json& body);
  void handle_rpc(const std::string& from, const std::string& id, const Json& body);
  void handle_broadcast(const std::string& from, const Json& body);
  void reply(const std::string& to, const std::string& id, const DeviceResult& r);
  // A request to another unit's node: sent (its id), its reply taken (with mutex_ held; only
  // from that unit's outbox), forgotten.
  std::optional<std::string> send_rpc(const std::string& unit, Json body);
  std::optional<Json> take_reply_locked(const std::string& id, const std::string& unit);
  void forget_rpc(const std::string& unit, const std::string& id);
  std::optional<Json> call(const std::string& unit, Json body, std::chrono::milliseconds timeout);
  std::string key(std::string_view rest) const { return prefix_ + std::string(rest); }
  std::string outbox(std::string_view rest) const { return prefix_ + "from/" + o_.unit_id + "/" + std::string(rest); }
  std::string next_id();
  // Why `from` may not command this unit with `token`, if it may not: it is not the grid master
  // etcd holds now, or the token is not that grid master's (0 never is).
  std::optional<Error> not_from_grid_master(const std::string& from, std::uint64_t token, std::string_view what) const;
  // The current message lease (a new one every 15 s, each living 30 s).
  std::int64_t message_lease();

  EtcdFabricOptions o_;
  std::string prefix_;
  std::vector<std::string> members_;
  OperationMode policy_mode_;
  Scheduler& scheduler_;
  Post post_;
  UnitAgent* agent_ = nullptr;
  std::function<void(const Json&)> deal_log_;
  mutable EtcdClient etcd_;  // the loop's connection: used on the loop's thread only
  std::atomic<std::int64_t> lease_{0};  // written on the loop, read by the keep-alive thread too
  std::int64_t gm_lease_ = 0;
  static constexpr std::chrono::seconds kLogRecordLife{3600};
  std::int64_t log_lease_ = 0;  // deal log records live on it (renewed at half its life)
  std::chrono::steady_clock::time_point log_lease_granted_{};
  std::int64_t message_lease_ = 0;
  std::chrono::steady_clock::time_point message_lease_granted_{};
  std::atomic<bool> rejoining_{false};
  std::atomic<bool> etcd_ok_{true};
  mutable std::atomic<std::uint64_t> rejected_stale_{0};
  std::atomic<std::uint64_t> seq_{0};

  mutable std::mutex mutex_;  // guards what the watch thread writes
  std::condition_variable replied_;
  struct Member {
    bool errors = false;
    int capacity = 1;
    std::optional<UnitData> data;  // its last acquisition, as it published it
    std::uint64_t market = 0;      // how many times it could newly take a request (note_market)
  };
  std::map<std::string, Member> alive_;
  std::uint64_t market_events_ = 1;     // joins, leaves, mode changes
  std::atomic<std::uint64_t> my_market_{0};
  std::optional<GridMasterLease> gm_;
  std::optional<GridMasterLease> resigned_gm_;  // the last grid master seen to resign
  std::uint64_t resigned_token_ = 0;            // the token this node held when it last resigned
  std::optional<OperationMode> mode_;
  TimePoint error_hold_until_{};
  std::map<std::string, std::vector<std::optional<Offer>>> answers_;
  std::map<std::string, std::pair<std::string, Json>> replies_;  // id → (its writer, the reply)
  std::set<std::string> awaited_;  // ids of this node's requests still waiting for a reply
  std::map<std::string, std::string> my_slots_;  // interlock slot key → deal, for this unit

  std::unique_ptr<EtcdWatch> watch_;
  std::jthread keep_alive_;
};

}  // namespace wattshare::cluster
