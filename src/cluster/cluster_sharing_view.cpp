#include "cluster/cluster_sharing_view.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cluster/wire.hpp"
#include "engine/unit_agent.hpp"

namespace wattshare::cluster {
namespace {

AgentView agent_from(MemberRecord r) {
  AgentView v;
  v.effective_mode = r.effective_mode.value_or(OperationMode::kStop);
  v.local_mode = r.local_mode;
  v.errors = std::move(r.recent_errors);
  v.data = std::move(r.data);
  return v;
}

}  // namespace

ClusterSharingView::ClusterSharingView(EtcdEndpoint etcd, const std::string& cluster, const Community& physics,
                                       const Policy& policy)
    : etcd_(std::move(etcd), std::chrono::milliseconds(1000)),
      prefix_(fmt::format("/wattshare/{}/", cluster)),
      physics_(physics),
      members_(physics.size()),
      mode_(policy.operation_mode),
      checker_(physics, *this, policy) {}

ClusterSharingView::~ClusterSharingView() {
  watch_.reset();
  *alive_ = false;
}

tl::expected<std::unique_ptr<ClusterSharingView>, Error> ClusterSharingView::open(EtcdEndpoint etcd,
                                                                                 const std::string& cluster,
                                                                                 const Community& physics,
                                                                                 const Policy& policy, Post post) {
  std::unique_ptr<ClusterSharingView> v{new ClusterSharingView(etcd, cluster, physics, policy)};
  auto now = v->etcd_.range(v->prefix_, true);
  if (!now) return tl::unexpected(now.error());
  std::vector<WatchEvent> all;
  for (auto& kv : now->kvs) all.push_back({WatchEvent::Type::kPut, std::move(kv)});
  v->on_events(all);
  v->watch_ = std::make_unique<EtcdWatch>(
      std::move(etcd), v->prefix_, now->revision + 1,
      [p = v.get(), alive = v->alive_, post](std::vector<WatchEvent> events) {
        post([p, alive, events = std::move(events)] {
          if (*alive) p->on_events(events);
        });
      },
      [](const Error& e) { spdlog::warn("etcd watch: {}", e.message); },
      [p = v.get(), alive = v->alive_, post, etcd = v->etcd_.endpoint()] {
        // The watch missed compacted history: the state read again (on the watch's thread, with
        // its own connection) replaces what the view keeps, on the loop.
        EtcdClient client{etcd};
        auto all = client.range(p->prefix_, true);
        if (!all) return std::int64_t{0};
        std::vector<WatchEvent> state;
        for (auto& kv : all->kvs) state.push_back({WatchEvent::Type::kPut, std::move(kv)});
        post([p, alive, state = std::move(state)] {
          if (*alive) p->replace_all(state);
        });
        return all->revision;
      });
  return v;
}

void ClusterSharingView::replace_all(const std::vector<WatchEvent>& state) {
  std::set<std::string> deals_now;
  for (const auto& ev : state) {
    const std::string rel = ev.kv.key.substr(prefix_.size());
    if (rel.starts_with("deals/")) deals_now.insert(rel.substr(6));
  }
  std::vector<WatchEvent> gone;
  for (const auto& [id, deal] : deals_) {
    if (!deals_now.contains(id)) gone.push_back({WatchEvent::Type::kDelete, KeyValue{prefix_ + "deals/" + id, ""}});
  }
  on_events(gone);  // disposed meanwhile
  for (auto& m : members_) m.reset();
  grid_master_.reset();
  on_events(state);
}

void ClusterSharingView::on_events(const std::vector<WatchEvent>& events) {
  for (const WatchEvent& ev : events) {
    // Anything can be written into etcd: a value of the wrong shape is logged and skipped.
    try {
      on_event(ev);
    } catch (const std::exception& e) {
      spdlog::warn("etcd: {}: {}", ev.kv.key, e.what());
    }
  }
}

void ClusterSharingView::on_event(const WatchEvent& ev) {
  if (!ev.kv.key.starts_with(prefix_)) return;
  const std::string rel = ev.kv.key.substr(prefix_.size());
  const bool put = ev.type == WatchEvent::Type::kPut;
  auto body = [&]() -> std::optional<Json> {
    auto j = parse_json_text(ev.kv.value, ev.kv.key);
    if (!j || !j->is_object()) {
      spdlog::warn("etcd: {}: {}", ev.kv.key, j ? std::string("expected a JSON object") : j.error().message);
      return std::nullopt;
    }
    return *j;
  };
  if (rel.starts_with("members/")) {
    const int i = physics_.index_of(rel.substr(8));
    if (i < 0) return;
    auto& slot = members_[static_cast<std::size_t>(i)];
    if (!put) {
      slot.reset();
    } else if (auto j = body()) {
      auto record = member_from_wire(*j);
      if (!record) {
        spdlog::warn("etcd: {}: {}", ev.kv.key, record.error().message);
        return;
      }
      slot = agent_from(std::move(*record));
    }
  } else if (rel.starts_with("deals/")) {
    const std::string id = rel.substr(6);
    if (!put) {
      if (auto it = deals_.find(id); it != deals_.end()) {
        checker_.on_disposed(it->second);
        deals_.erase(it);
      }
    } else if (auto j = body()) {
      auto d = deal_from_wire(*j);
      if (!d) {
        spdlog::warn("etcd: {}: {}", ev.kv.key, d.error().message);
        return;
      }
      if (!deals_.contains(id)) ++stats_.deals_created;
      deals_[id] = std::move(*d);
    }
  } else if (rel == "gm") {
    grid_master_ = put ? std::optional<std::string>(ev.kv.value) : std::nullopt;
  } else if (rel == "mode" && put) {
    if (auto m = parse_operation_mode(ev.kv.value)) mode_ = *m;
  } else if (rel.starts_with("log/")) {
    const std::string id = rel.substr(4);
    if (!put) {
      recorded_.erase(id);  // its lease ran out; the history has it
    } else if (auto j = body()) {
      on_log_record(id, *j);
    }
  }
}

void ClusterSharingView::on_log_record(const std::string& deal_id, const Json& record) {
  if (!recorded_.insert(deal_id).second) return;
  auto failed = [&](const char* key) { return record.contains(key) && !record[key].is_null(); };
  if (failed("scramReason")) {
    ++stats_.deals_scrammed;
  } else if (failed("abortReason")) {
    ++stats_.deals_aborted;
  } else if (record.contains("startDateTime") && record["startDateTime"] != "--") {
    ++stats_.deals_completed;
  }
  if (sink_) sink_(deal_id, record);
}

AgentView ClusterSharingView::agent(std::size_t unit) const {
  const auto& m = members_.at(unit);
  if (!m) return AgentView{.online = false};
  AgentView v = *m;
  v.grid_master = grid_master_ == physics_.unit_id(unit);
  return v;
}

void ClusterSharingView::for_each_deal(const std::function<void(const Deal&)>& visit) const {
  for (const auto& [id, d] : deals_) visit(d);
}

tl::expected<void, Error> ClusterSharingView::set_global_mode(OperationMode m) {
  if (auto r = etcd_.put(prefix_ + "mode", std::string(to_string(m))); !r) {
    return tl::unexpected(Error::not_available(fmt::format("global mode not set: {}", r.error().message)));
  }
  mode_ = m;
  return {};
}

tl::expected<void, Error> ClusterSharingView::set_local_mode(std::size_t unit, std::optional<OperationMode> m) {
  if (auto ok = check_local_mode(m); !ok) return ok;
  const std::string& id = physics_.unit_id(unit);
  if (!members_.at(unit)) {
    return tl::unexpected(Error::not_available(fmt::format("unit {} is not running: its node would not see its local mode", id)));
  }
  const std::string k = prefix_ + "local/" + id;
  auto r = m ? etcd_.put(k, std::string(to_string(*m))) : etcd_.remove(k).map([](std::int64_t n) { return n; });
  if (!r) return tl::unexpected(Error::not_available(fmt::format("local mode of {} not set: {}", id, r.error().message)));
  // Shown at once; the node's next record confirms it.
  members_[unit]->local_mode = m;
  return {};
}

GridMastersActing ClusterSharingView::grid_masters_acting() const {
  // etcd holds one grid-master key at most, alive with its holder's lease: a grid master is
  // acting now if the key is there.
  return grid_master_ ? GridMastersActing{1, checking_at_} : GridMastersActing{};
}

void ClusterSharingView::check_invariants(TimePoint now) {
  checking_at_ = now;
  checker_.run(now);
}

std::size_t ClusterSharingView::members_online() const {
  std::size_t n = 0;
  for (const auto& m : members_) n += m.has_value();
  return n;
}

}  // namespace wattshare::cluster
