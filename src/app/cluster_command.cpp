// `wattshare cluster`: what an operator asks of a cluster of `wattshare node` processes, straight
// from etcd: its members, grid master, mode, running deals and deal log; and the global mode.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/commands.hpp"
#include "app/etcd_access.hpp"
#include "app/wall_clock.hpp"
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "cluster/cluster_auth.hpp"
#include "cluster/etcd_client.hpp"
#include "cluster/etcd_watch.hpp"
#include "cluster/wire.hpp"
#include "config/policy.hpp"
#include "core/apis_time.hpp"
#include "core/json_file.hpp"
#include "engine/deal.hpp"

namespace wattshare::app {
namespace {

// A deal made outside negotiation, as APIS's apis-web /deal and apis-tester inject them: both
// interlocks taken in unit-id order, then the deal; the grid master executes it.
int inject_deal(cluster::EtcdClient& etcd, const std::string& prefix, const ClusterOptions& o) {
  using cluster::Compare;
  using cluster::Op;
  if (o.discharge_unit == o.charge_unit) {
    spdlog::error("cluster deal: two distinct units are needed");
    return 2;
  }
  const TimePoint now = wall_now();
  Deal d;
  d.unit_id = d.request_unit_id = d.charge_unit_id = o.charge_unit;
  d.accept_unit_id = d.discharge_unit_id = o.discharge_unit;
  d.negotiation_id = "injected";
  d.deal_id = fmt::format("injected-{}", now.time_since_epoch().count());
  d.type = DealDirection::kCharge;
  d.request_time = d.accept_time = d.create_time = now;
  d.request_deal_grid_current_a = d.accept_deal_grid_current_a = d.deal_grid_current_a = o.current_a;
  d.request_amount_wh = d.accept_amount_wh = static_cast<double>(o.amount_wh);
  d.deal_amount_wh = o.amount_wh;
  std::vector<std::string> taken;
  auto release = [&] {
    for (const auto& k : taken) etcd.txn({Compare::value_is(k, d.deal_id)}, {Op::remove(k)});
  };
  for (const std::string& unit : {std::min(o.charge_unit, o.discharge_unit), std::max(o.charge_unit, o.discharge_unit)}) {
    auto member = etcd.range(prefix + "members/" + unit);
    if (!member || member->kvs.empty()) {
      release();
      spdlog::error("cluster deal: unit {} is not running", unit);
      return 1;
    }
    auto record = parse_json_text(member->kvs.front().value, unit);
    const int capacity = record && record->is_object() && record->contains("capacity")
                             ? whole_number<int>((*record)["capacity"]).value_or(1)
                             : 1;
    bool got = false;
    for (int k = 0; k < capacity && !got; ++k) {
      const std::string slot = fmt::format("{}interlock/{}/{}", prefix, unit, k);
      auto r = etcd.txn({Compare::absent(slot)}, {Op::put(slot, d.deal_id)});
      if (r && r->succeeded) {
        taken.push_back(slot);
        got = true;
      }
    }
    if (!got) {
      release();
      spdlog::error("cluster deal: {} has no free deal slot", unit);
      return 1;
    }
  }
  auto put = etcd.txn({Compare::absent(prefix + "deals/" + d.deal_id)}, {Op::put(prefix + "deals/" + d.deal_id, dump_json(cluster::to_wire(d)))});
  if (!put || !put->succeeded) {
    release();
    spdlog::error("cluster deal: {}", put ? "the deal exists already" : put.error().message);
    return 1;
  }
  fmt::print("{}\n", d.deal_id);
  return 0;
}

// Negotiation latency as a requester sees it: a request broadcast through etcd until every live
// member has answered (what the mediator waits for before choosing), `count` times.
int probe(cluster::EtcdClient& etcd, const cluster::EtcdEndpoint& ep, const std::string& prefix, const ClusterOptions& o) {
  auto members = etcd.range(prefix + "members/", true);
  if (!members) {
    spdlog::error("{}", members.error().message);
    return 1;
  }
  const std::size_t expected = members->kvs.size();
  if (expected == 0) {
    spdlog::error("cluster probe: no member is running");
    return 1;
  }
  std::mutex mutex;
  std::condition_variable cv;
  std::map<std::string, std::size_t> answers;
  const std::string from = fmt::format("probe-{}", ::getpid());
  // Answers land in each member's outbox: from/<unit>/answer/<probe>/<id>.
  const std::string answer_to_me = "/answer/" + from + "/";
  cluster::EtcdWatch watch{ep, prefix + "from/", members->revision + 1, [&](std::vector<cluster::WatchEvent> events) {
                             std::lock_guard lock{mutex};
                             for (const auto& e : events) {
                               const auto at = e.kv.key.find(answer_to_me);
                               if (e.type != cluster::WatchEvent::Type::kPut || at == std::string::npos) continue;
                               ++answers[e.kv.key.substr(at + answer_to_me.size())];
                             }
                             cv.notify_all();
                           }};
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the watch is in place
  std::vector<double> ms;
  for (int i = 0; i < o.count; ++i) {
    const std::string id = fmt::format("{}-{}", from, i);
    Offer offer{from, i % 2 ? DealDirection::kDischarge : DealDirection::kCharge, 100, 10.0, std::nullopt, 350,
                wall_now(), 1};
    const auto t0 = std::chrono::steady_clock::now();
    etcd.put(prefix + "from/" + from + "/negotiation/" + id, dump_json(Json{{"offer", cluster::to_wire(offer)}}));
    std::unique_lock lock{mutex};
    const bool all = cv.wait_for(lock, std::chrono::seconds(5), [&] { return answers[id] >= expected; });
    lock.unlock();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    if (!all) spdlog::warn("probe {}: {} of {} answered", i, answers[id], expected);
    etcd.remove(prefix + "from/" + from + "/negotiation/" + id);  // the answers expire with their leases
  }
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) { return ms[static_cast<std::size_t>(p * static_cast<double>(ms.size() - 1))]; };
  fmt::print("{}\n", dump_json(Json{{"members", expected}, {"negotiations", ms.size()}, {"p50_ms", pct(0.5)},
                                    {"p95_ms", pct(0.95)}, {"max_ms", ms.back()}}));
  return 0;
}

// Turns etcd's auth on for the cluster (cluster/cluster_auth.hpp), from its policy file.
int init_auth(const cluster::EtcdEndpoint& ep, const ClusterOptions& o) {
  auto doc = load_json_file(o.policy);
  auto policy = doc ? load_policy(o.policy) : tl::expected<Policy, Error>(tl::unexpected(doc.error()));
  if (!policy) {
    spdlog::error("{}", policy.error().message);
    return 2;
  }
  OperationMode mode = policy->operation_mode;
  if (!o.mode.empty()) {
    auto m = parse_operation_mode(o.mode);
    if (!m) {
      spdlog::error("--mode: {}", m.error().message);
      return 2;
    }
    mode = *m;
  }
  if (auto r = cluster::init_cluster_auth(ep, o.cluster, dump_json(*doc), policy->member_unit_ids, mode, o.secrets_dir); !r) {
    spdlog::error("{}", r.error().message);
    return 1;
  }
  fmt::print("cluster {}: etcd's auth is on; operator {} and {} node users, passwords in {}\n", o.cluster,
             cluster::admin_user(o.cluster), policy->member_unit_ids.size(), o.secrets_dir);
  for (const auto& unit : policy->member_unit_ids) {
    fmt::print("  {}: --etcd-user {} --etcd-password-file {}\n", unit, cluster::node_user(o.cluster, unit),
               cluster::password_file(o.secrets_dir, cluster::node_user(o.cluster, unit)));
  }
  return 0;
}

}  // namespace

int run_cluster(const ClusterOptions& o) {
  auto ep = etcd_endpoint(o.etcd);
  if (!ep) {
    spdlog::error("{}", ep.error().message);
    return 2;
  }
  cluster::EtcdClient etcd{*ep};
  const std::string prefix = fmt::format("/wattshare/{}/", o.cluster);
  if (o.action == "mode") {
    auto m = parse_operation_mode(o.mode);
    if (!m) {
      spdlog::error("{}", m.error().message);
      return 2;
    }
    auto r = etcd.put(prefix + "mode", std::string(to_string(*m)));
    if (!r) {
      spdlog::error("{}", r.error().message);
      return 1;
    }
    fmt::print("cluster {}: global mode {}\n", o.cluster, to_string(*m));
    return 0;
  }
  if (o.action == "deal") return inject_deal(etcd, prefix, o);
  if (o.action == "probe") return probe(etcd, *ep, prefix, o);
  if (o.action == "init-auth") return init_auth(*ep, o);
  auto all = etcd.range(prefix, true);
  if (!all) {
    spdlog::error("{}", all.error().message);
    return 1;
  }
  Json members = Json::object(), deals = Json::array(), log = Json::array();
  Json out{{"cluster", o.cluster}, {"revision", all->revision}, {"grid_master", nullptr}, {"grid_master_token", nullptr},
           {"mode", nullptr}};
  for (const auto& kv : all->kvs) {
    const std::string rel = kv.key.substr(prefix.size());
    auto j = parse_json_text(kv.value, kv.key);
    if (rel.starts_with("members/") && j) {
      auto record = cluster::member_from_wire(*j);
      if (!record) continue;
      Json m{{"pid", record->pid ? Json(*record->pid) : Json(nullptr)}, {"errors", record->errors},
             {"rejected_commands", record->rejected_commands}};
      if (const auto& d = record->data) {
        m["rsoc"] = d->rsoc_pct;
        m["dcdc_mode"] = std::string(mode_code(d->mode));
        m["ig"] = d->meter.ig_a;
      }
      members[rel.substr(8)] = m;
    } else if (rel == "gm") {
      out["grid_master"] = kv.value;
      out["grid_master_token"] = kv.create_revision;
    } else if (rel == "mode") {
      out["mode"] = kv.value;
    } else if (rel.starts_with("deals/") && j) {
      if (auto d = cluster::deal_from_wire(*j)) {
        deals.push_back(Json{{"id", d->deal_id}, {"state", std::string(to_string(d->state()))},
                             {"discharge_unit", d->discharge_unit_id}, {"charge_unit", d->charge_unit_id},
                             {"amount_wh", d->deal_amount_wh}, {"cumulated_wh", d->cumulate_amount_wh},
                             {"current_a", d->deal_grid_current_a}});
      }
    } else if (rel.starts_with("log/") && j && j->is_object()) {
      log.push_back(*j);
    }
  }
  out["members"] = members;
  out["deals"] = deals;
  if (o.action == "log") {
    fmt::print("{}\n", dump_json(log));
    return 0;
  }
  out["logged_deals"] = log.size();
  if (o.json) {
    fmt::print("{}\n", dump_json(out));
    return 0;
  }
  fmt::print("cluster {}: mode {}, grid master {} (token {}), {} members, {} deals running, {} logged\n", o.cluster,
             dump_json(out["mode"]), dump_json(out["grid_master"]), dump_json(out["grid_master_token"]), members.size(),
             deals.size(), log.size());
  for (const auto& [id, m] : members.items()) fmt::print("  {} {}\n", id, dump_json(m));
  for (const auto& d : deals) fmt::print("  deal {}\n", dump_json(d));
  return 0;
}

}  // namespace wattshare::app
