#include "cluster/etcd_fabric.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cluster/wire.hpp"
#include "engine/unit_agent.hpp"

namespace wattshare::cluster {
namespace {

constexpr auto kCommandTimeout = seconds(200);  // a voltage reference's first ramp-up may take 180 s

// Dotted paths where two JSON documents differ (at most `limit`).
void differences(const Json& a, const Json& b, const std::string& path, std::vector<std::string>& out, std::size_t limit) {
  if (out.size() >= limit) return;
  if (a.is_object() && b.is_object()) {
    for (const auto& [k, v] : a.items()) {
      const std::string p = path.empty() ? k : path + "." + k;
      if (!b.contains(k)) {
        out.push_back(p);
      } else {
        differences(v, b[k], p, out, limit);
      }
    }
    for (const auto& [k, v] : b.items()) {
      if (!a.contains(k) && out.size() < limit) out.push_back(path.empty() ? k : path + "." + k);
    }
    return;
  }
  if (a != b) out.push_back(path.empty() ? "(the whole policy)" : path);
}

Json error_json(const ApisError& e) {
  return Json{{"category", static_cast<int>(e.category)}, {"extent", static_cast<int>(e.extent)},
              {"level", static_cast<int>(e.level)}, {"unit", e.unit_id}, {"message", e.message}};
}

DeviceResult result_from(const Json& j) {
  if (!j.is_object() || !j.contains("ok") || !j["ok"].is_boolean() || (j.contains("code") && !j["code"].is_number_integer()) ||
      (j.contains("message") && !j["message"].is_string())) {
    return tl::unexpected(Error::bad_input(fmt::format("a reply that is not one: {}", dump_json(j).substr(0, 200))));
  }
  if (j["ok"].get<bool>() && j.contains("data")) {
    auto u = unit_data_from_wire(j["data"]);
    if (u) return *u;
    return tl::unexpected(u.error());
  }
  const int code = j.value("code", static_cast<int>(ErrorCode::kInternal));
  return tl::unexpected(Error{static_cast<ErrorCode>(code), j.value("message", std::string("no answer"))});
}

}  // namespace

EtcdFabric::EtcdFabric(EtcdFabricOptions o, const Policy& policy, Scheduler& scheduler, Post post)
    : o_(std::move(o)),
      prefix_(fmt::format("/wattshare/{}/", o_.cluster)),
      members_(policy.member_unit_ids),
      policy_mode_(policy.operation_mode),
      scheduler_(scheduler),
      post_(std::move(post)),
      etcd_(o_.etcd, std::chrono::milliseconds(1000)) {
  std::sort(members_.begin(), members_.end());
}

EtcdFabric::~EtcdFabric() { leave(); }

std::unique_ptr<EtcdFabric> EtcdFabric::unjoined(EtcdFabricOptions o, const Policy& policy, Scheduler& scheduler,
                                                 Post post) {
  return std::unique_ptr<EtcdFabric>(new EtcdFabric(std::move(o), policy, scheduler, std::move(post)));
}

tl::expected<std::unique_ptr<EtcdFabric>, Error> EtcdFabric::join(EtcdFabricOptions o, const Policy& policy,
                                                                 Scheduler& scheduler, Post post) {
  std::unique_ptr<EtcdFabric> f{new EtcdFabric(std::move(o), policy, scheduler, std::move(post))};
  if (std::find(f->members_.begin(), f->members_.end(), f->o_.unit_id) == f->members_.end()) {
    return tl::unexpected(Error::invalid_config(fmt::format("unit {} is not in the policy's memberUnitIds", f->o_.unit_id)));
  }
  if (auto r = f->register_member(); !r) return tl::unexpected(r.error());
  // The caches from what is there now, then the watch from the next revision.
  auto all = f->etcd_.range(f->prefix_, true);
  if (!all) return tl::unexpected(all.error());
  std::vector<WatchEvent> now;
  for (auto& kv : all->kvs) now.push_back({WatchEvent::Type::kPut, std::move(kv)});
  f->on_events(std::move(now));
  f->etcd_.txn({Compare::absent(f->key("mode"))}, {Op::put(f->key("mode"), std::string(to_string(policy.operation_mode)))});
  f->watch_ = std::make_unique<EtcdWatch>(f->o_.etcd, f->prefix_, all->revision + 1,
                                          [p = f.get()](std::vector<WatchEvent> e) { p->on_events(std::move(e)); },
                                          [](const Error& e) { spdlog::warn("etcd watch: {}", e.message); },
                                          [p = f.get()] { return p->resync(); });
  f->keep_alive_ = std::jthread([p = f.get()](std::stop_token stop) { p->keep_alive_loop(stop); });
  return f;
}

tl::expected<void, Error> EtcdFabric::register_member() {
  auto lease = etcd_.grant(o_.member_ttl.count());
  if (!lease) return tl::unexpected(lease.error());
  // The policy: the first node writes it (with no lease: it outlives its writer, so a node
  // with another policy cannot join once the first has left); the others must bring the same.
  // Under etcd's auth, `cluster init-auth` wrote it and nodes may only read it.
  auto stored = etcd_.range(key("policy"));
  if (!stored) return tl::unexpected(stored.error());
  std::vector<KeyValue> theirs_kv = stored->kvs;
  if (theirs_kv.empty()) {
    auto written = etcd_.txn({Compare::absent(key("policy"))}, {Op::put(key("policy"), o_.policy_json)}, {Op::range(key("policy"))});
    if (!written) {
      etcd_.revoke(*lease);
      return tl::unexpected(Error::rejected(fmt::format(
          "unit {}: cluster {} has no policy in etcd and this node may not write it ({}); `wattshare cluster init-auth` "
          "writes it", o_.unit_id, o_.cluster, written.error().message)));
    }
    theirs_kv = written->ranged;
  }
  if (!theirs_kv.empty()) {
    auto theirs = parse_json_text(theirs_kv.front().value, "the cluster's policy");
    auto mine = parse_json_text(o_.policy_json, "this node's policy");
    if (theirs && mine && *theirs != *mine) {
      std::vector<std::string> diff;
      differences(*mine, *theirs, "", diff, 6);
      std::string keys;
      for (const auto& d : diff) keys += (keys.empty() ? "" : ", ") + d;
      etcd_.revoke(*lease);
      return tl::unexpected(Error::invalid_config(fmt::format(
          "unit {}: policy differs from cluster {}'s (keys: {}); every member must run the same policy.json",
          o_.unit_id, o_.cluster, keys)));
    }
  }
  MemberRecord first;
  first.pid = ::getpid();
  first.capacity = o_.interlock_capacity;
  const Json record = to_wire(first);
  auto mine = etcd_.txn({Compare::absent(key("members/" + o_.unit_id))},
                        {Op::put(key("members/" + o_.unit_id), dump_json(record), *lease)},
                        {Op::range(key("members/" + o_.unit_id))});
  if (!mine) return tl::unexpected(mine.error());
  if (!mine->succeeded) {
    std::string who = "another process";
    if (!mine->ranged.empty()) {
      auto other = parse_json_text(mine->ranged.front().value, "member");
      if (other && other->contains("pid")) who = fmt::format("pid {}", dump_json((*other)["pid"]));
    }
    etcd_.revoke(*lease);
    return tl::unexpected(Error::rejected(fmt::format("unit {} is already running in cluster {} ({}); refusing to start a second one",
                                                      o_.unit_id, o_.cluster, who)));
  }
  lease_ = *lease;
  return {};
}

void EtcdFabric::attach(UnitAgent& agent) {
  agent_ = &agent;
  publish_member();
}

void EtcdFabric::on_deal_log(std::function<void(const Json&)> sink) { deal_log_ = std::move(sink); }

void EtcdFabric::leave() {
  keep_alive_ = {};
  watch_.reset();
  if (gm_lease_ != 0) etcd_.revoke(gm_lease_);
  if (lease_ != 0) etcd_.revoke(lease_);
  gm_lease_ = lease_ = 0;
}

void EtcdFabric::keep_alive_loop(std::stop_token stop) {
  EtcdClient etcd{o_.etcd, std::chrono::milliseconds(1000)};
  const auto period = std::chrono::milliseconds(o_.member_ttl) / 3;
  while (!stop.stop_requested()) {
    auto ttl = etcd.keep_alive(lease_);
    if (!ttl) {
      if (etcd_ok_.exchange(false)) spdlog::error("etcd {}:{} unreachable: {}", o_.etcd.host, o_.etcd.port, ttl.error().message);
    } else {
      if (!etcd_ok_.exchange(true)) spdlog::info("etcd {}:{} reachable again", o_.etcd.host, o_.etcd.port);
      if (*ttl == 0 && !rejoining_.exchange(true)) {
        // The lease ran out while etcd was away: join again, on the loop (the only user of etcd_).
        post_([this] {
          spdlog::warn("unit {}: membership lease expired; registering again", o_.unit_id);
          if (auto r = register_member(); !r) spdlog::error("{}", r.error().message);
          publish_member();
          rejoining_ = false;
        });
      }
    }
    std::unique_lock lock{mutex_};
    std::condition_variable_any cv;
    cv.wait_for(lock, stop, period, [] { return false; });
  }
}

void EtcdFabric::publish_member() {
  if (!etcd_ok_ || lease_ == 0) return;
  MemberRecord record;
  record.pid = ::getpid();
  record.capacity = o_.interlock_capacity;
  record.errors = has_local_errors(o_.unit_id);
  record.rejected_commands = rejected_stale_.load() + (agent_ != nullptr ? agent_->rejected_commands() : 0);
  record.market = my_market_.load();
  if (agent_ != nullptr) {
    // What an operator's dashboard shows of this unit.
    record.effective_mode = agent_->effective_mode();
    record.local_mode = agent_->local_mode();
    for (const ApisError& e : agent_->recent_errors()) record.recent_errors.push_back(format_apis_error(e));
    record.data = agent_->data();
  }
  etcd_.put(key("members/" + o_.unit_id), dump_json(to_wire(record)), lease_);
}

std::string EtcdFabric::next_id() { return fmt::format("{}-{}-{}", o_.unit_id, ::getpid(), ++seq_); }

void EtcdFabric::on_events(std::vector<WatchEvent> events) {
  // A batch replayed after the watch was away may hold a message and its withdrawal (a command
  // its sender gave up on): such a message is stale and not acted on.
  std::map<std::string, std::size_t> last_delete;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i].type == WatchEvent::Type::kDelete) last_delete[events[i].kv.key] = i;
  }
  for (std::size_t i = 0; i < events.size(); ++i) {
    auto& ev = events[i];
    if (ev.type == WatchEvent::Type::kPut && ev.kv.key.starts_with(prefix_ + "from/")) {
      if (auto it = last_delete.find(ev.kv.key); it != last_delete.end() && it->second > i) continue;
    }
    // Anything can be written into etcd: a value of the wrong shape is logged and skipped.
    try {
      on_event(ev);
    } catch (const std::exception& e) {
      spdlog::warn("etcd: {}: {}", ev.kv.key, e.what());
    }
  }
}

std::int64_t EtcdFabric::resync() {
  // On the watch's thread, with a connection of its own. Only state is rebuilt (members, grid
  // master, mode, this unit's local mode and interlocks): a message still in etcd is not acted on
  // a second time.
  EtcdClient etcd{o_.etcd, std::chrono::milliseconds(2000)};
  auto all = etcd.range(prefix_, true);
  if (!all) return 0;
  const std::string my_slots = "interlock/" + o_.unit_id + "/";
  std::vector<WatchEvent> state;
  std::set<std::string> slots_now;
  for (auto& kv : all->kvs) {
    const std::string rel = kv.key.substr(prefix_.size());
    if (rel.starts_with(my_slots)) slots_now.insert(rel);
    if (rel.starts_with("members/") || rel == "gm" || rel == "mode" || rel == "error_hold" || rel == "local/" + o_.unit_id ||
        rel.starts_with(my_slots)) {
      state.push_back({WatchEvent::Type::kPut, std::move(kv)});
    }
  }
  std::vector<WatchEvent> gone;
  {
    std::lock_guard lock{mutex_};
    alive_.clear();
    gm_.reset();
    ++market_events_;
    for (const auto& [slot, deal] : my_slots_) {
      if (!slots_now.contains(slot)) gone.push_back({WatchEvent::Type::kDelete, KeyValue{prefix_ + slot, deal}});
    }
  }
  on_events(std::move(gone));  // interlocks released meanwhile
  if (std::none_of(state.begin(), state.end(), [&](const WatchEvent& e) { return e.kv.key == prefix_ + "local/" + o_.unit_id; })) {
    on_events({{WatchEvent::Type::kDelete, KeyValue{prefix_ + "local/" + o_.unit_id, ""}}});  // local mode cleared meanwhile
  }
  on_events(std::move(state));
  return all->revision;
}

void EtcdFabric::on_event(const WatchEvent& ev) {
  const std::string me = o_.unit_id;
  if (!ev.kv.key.starts_with(prefix_)) return;
  const std::string rel = ev.kv.key.substr(prefix_.size());
  const bool put = ev.type == WatchEvent::Type::kPut;
  auto body = [&]() -> std::optional<Json> {
    auto j = parse_json_text(ev.kv.value, ev.kv.key);
    if (!j) {
      spdlog::warn("etcd: {}", j.error().message);
      return std::nullopt;
    }
    return *j;
  };
  if (rel.starts_with("members/")) {
    std::lock_guard lock{mutex_};
    const std::string unit = rel.substr(8);
    if (!put) {
      alive_.erase(unit);
      ++market_events_;
    } else if (auto j = body()) {
      auto record = member_from_wire(*j);
      if (!record) {
        spdlog::warn("etcd: {}: {}", ev.kv.key, record.error().message);
        return;
      }
      if (!alive_.contains(unit)) ++market_events_;
      alive_[unit] = Member{record->errors, record->capacity, std::move(record->data), record->market};
    }
  } else if (rel == "gm") {
    std::lock_guard lock{mutex_};
    if (put) {
      gm_ = GridMasterLease{ev.kv.value, static_cast<std::uint64_t>(ev.kv.create_revision), {}};
    } else {
      if (gm_) resigned_gm_ = gm_;  // it may hand its role over (activate) right after
      gm_.reset();
    }
  } else if (rel == "local/" + me) {
    // The operator's local mode for this unit (the dashboard writes it; deleted: none).
    std::optional<OperationMode> m;
    if (put) {
      auto parsed = parse_operation_mode(ev.kv.value);
      if (!parsed) {
        spdlog::warn("etcd: {}: {}", ev.kv.key, parsed.error().message);
        return;
      }
      m = *parsed;
    }
    post_([this, m] {
      if (agent_ == nullptr) return;
      if (auto r = agent_->set_local_mode(m); !r) spdlog::warn("unit {}: local mode: {}", o_.unit_id, r.error().message);
      publish_member();
    });
  } else if (rel == "error_hold") {
    // The end of the hold in ms; anything else ends it (a hold never outlives a bad value).
    std::optional<std::int64_t> ms;
    if (auto until = put ? parse_json_text(ev.kv.value, ev.kv.key) : tl::expected<Json, Error>{}; until && put)
      ms = whole_number<std::int64_t>(*until);
    std::lock_guard lock{mutex_};
    error_hold_until_ = TimePoint{} + Duration(ms.value_or(0));
  } else if (rel == "mode") {
    if (!put) return;
    auto m = parse_operation_mode(ev.kv.value);
    std::lock_guard lock{mutex_};
    if (m) {
      if (mode_ != *m) ++market_events_;
      mode_ = *m;
    }
  } else if (rel.starts_with("from/")) {
    const std::size_t slash = rel.find('/', 5);
    if (slash == std::string::npos) return;
    const std::string writer = rel.substr(5, slash - 5);
    if (writer != me) on_outbox_event(writer, rel.substr(slash + 1), put, ev);
  } else if (rel.starts_with("admin/broadcast/") && put) {
    if (auto j = body(); j && j->is_object()) post_([this, j = *j] { handle_broadcast("", j); });
  } else if (rel.starts_with("interlock/" + me + "/")) {
    std::string deal;
    {
      std::lock_guard lock{mutex_};
      if (put) {
        deal = my_slots_[rel] = ev.kv.value;
      } else if (auto it = my_slots_.find(rel); it != my_slots_.end()) {
        deal = it->second;
        my_slots_.erase(it);
      }
    }
    if (!deal.empty()) {
      post_([this, put, deal] {
        if (agent_ == nullptr) return;
        if (put) {
          agent_->acquire_interlock(deal);
        } else {
          agent_->release_interlock(deal);
        }
      });
    }
  } else if (rel.starts_with("log/") && put && deal_log_) {
    auto j = body();
    if (j && j->is_object() && (j->value("chargeUnitId", "") == me || j->value("dischargeUnitId", "") == me)) {
      post_([this, j = *j] { deal_log_(j); });
    }
  }
}

void EtcdFabric::on_outbox_event(const std::string& writer, const std::string& rest, bool put, const WatchEvent& ev) {
  const std::string me = o_.unit_id;
  if (!put) return;
  auto body = [&]() -> std::optional<Json> {
    auto j = parse_json_text(ev.kv.value, ev.kv.key);
    if (!j || !j->is_object()) {
      spdlog::warn("etcd: {}: {}", ev.kv.key, j ? std::string("not a JSON object") : j.error().message);
      return std::nullopt;
    }
    return *j;
  };
  if (rest.starts_with("negotiation/")) {
    if (auto j = body()) post_([this, writer, id = rest.substr(12), j = *j] { handle_request(writer, id, j); });
  } else if (rest.starts_with("answer/" + me + "/")) {
    const std::string id = rest.substr(8 + me.size());
    auto j = parse_json_text(ev.kv.value, ev.kv.key);
    std::optional<Offer> offer;
    if (j && !j->is_null()) {
      auto o = offer_from_wire(*j);
      if (!o) {
        spdlog::warn("etcd: {}: {}", ev.kv.key, o.error().message);
      } else if (o->unit_id != writer) {
        spdlog::warn("etcd: {}: an offer of {} from {}'s outbox: ignored", ev.kv.key, o->unit_id, writer);
        return;
      } else {
        offer = *o;
      }
    }
    std::lock_guard lock{mutex_};
    if (auto it = answers_.find(id); it != answers_.end()) it->second.push_back(std::move(offer));
  } else if (rest.starts_with("rpc/" + me + "/")) {
    if (auto j = body()) post_([this, writer, id = rest.substr(5 + me.size()), j = *j] { handle_rpc(writer, id, j); });
  } else if (rest.starts_with("reply/" + me + "/")) {
    if (auto j = body()) {
      std::lock_guard lock{mutex_};
      const std::string id = rest.substr(7 + me.size());
      if (!awaited_.contains(id)) return;  // nobody here asked (any more)
      replies_[id] = {writer, *j};
    }
    replied_.notify_all();
  } else if (rest.starts_with("broadcast/")) {
    if (auto j = body()) post_([this, writer, j = *j] { handle_broadcast(writer, j); });
  }
}

void EtcdFabric::handle_request(const std::string& from, const std::string& id, const Json& body) try {
  std::optional<Offer> accept;
  auto request = offer_from_wire(body.value("offer", Json(nullptr)));
  if (!request) {
    spdlog::warn("etcd: negotiation {} from {}: {}", id, from, request.error().message);
    return;
  }
  if (request->unit_id != from) {
    spdlog::warn("etcd: negotiation {}: a request of {} from {}'s outbox: ignored", id, request->unit_id, from);
    return;
  }
  if (agent_ != nullptr) accept = agent_->on_request(*request);
  etcd_.put(outbox(fmt::format("answer/{}/{}", from, id)), dump_json(accept ? to_wire(*accept) : Json(nullptr)),
            message_lease());
} catch (const std::exception& e) {
  spdlog::warn("etcd: negotiation {}: {}", id, e.what());
}

std::optional<Error> EtcdFabric::not_from_grid_master(const std::string& from, std::uint64_t token, std::string_view what) const {
  std::optional<GridMasterLease> gm;
  {
    std::lock_guard lock{mutex_};
    gm = gm_;
  }
  if (token != 0 && !(gm && gm->holder == from && gm->token == token)) {
    // This node's view may lag behind a hand-over: etcd decides.
    if (auto cur = etcd_.range(key("gm")); cur) {
      gm.reset();
      if (!cur->kvs.empty()) gm = GridMasterLease{cur->kvs.front().value, static_cast<std::uint64_t>(cur->kvs.front().create_revision), {}};
    }
  }
  if (token != 0 && gm && gm->holder == from && gm->token == token) return std::nullopt;
  ++rejected_stale_;
  std::string why;
  if (token == 0) {
    why = "it carries no grid-master token";
  } else if (!gm) {
    why = fmt::format("there is no grid master (token {})", token);
  } else if (gm->holder != from) {
    why = fmt::format("{} is not the grid master ({} is, token {})", from, gm->holder, gm->token);
  } else {
    why = fmt::format("stale grid-master token {} (the grid master's is {})", token, gm->token);
  }
  return Error::rejected(fmt::format("{}: {} from {} refused: {}", o_.unit_id, what, from, why));
}

void EtcdFabric::handle_rpc(const std::string& from, const std::string& id, const Json& body) try {
  const std::string op = body.value("op", "");
  // No token, or one that is not a whole number, is token 0, which never passes.
  const auto token = body.contains("token") ? whole_number<std::uint64_t>(body["token"]).value_or(0) : 0;
  if (agent_ == nullptr) return reply(from, id, tl::unexpected(Error::not_available(o_.unit_id + " is starting")));
  if (op == "activate") {
    // A hand-over: the grid master resigns, then asks this unit to take the role. Accepted from
    // the grid master that has just resigned with this token, while none has taken over.
    bool handed_over = false;
    {
      std::lock_guard lock{mutex_};
      handed_over = token != 0 && !gm_ && resigned_gm_ && resigned_gm_->holder == from && resigned_gm_->token == token;
    }
    if (!handed_over) {
      if (auto e = not_from_grid_master(from, token, op)) {
        spdlog::warn("{}", e->message);
        return;
      }
    }
    agent_->take_grid_master();
    return;
  }
  if (auto e = not_from_grid_master(from, token, op.empty() ? "a request" : op)) {
    spdlog::warn("{}", e->message);
    return reply(from, id, tl::unexpected(*e));
  }
  if (op == "data") return reply(from, id, agent_->on_data(body.value("fresh", false), token));
  if (op == "control") {
    auto cmd = command_from_wire(body.value("command", Json(nullptr)));
    if (!cmd) return reply(from, id, tl::unexpected(cmd.error()));
    spawn(agent_->on_control(*cmd, token), [this, from, id](DeviceResult r) { reply(from, id, r); }, {},
          agent_->lifetime());
    return;
  }
  reply(from, id, tl::unexpected(Error::bad_input(fmt::format("unknown request \"{}\"", op))));
} catch (const std::exception& e) {
  spdlog::warn("etcd: request {}: {}", id, e.what());
}

void EtcdFabric::handle_broadcast(const std::string& from, const Json& body) {
  const std::string op = body.value("op", ""), reason = body.value("reason", "");
  if (agent_ == nullptr || (op != "reset" && op != "shutdown")) return;
  // Only the grid master (or the operator, from admin/) resets or shuts down every unit.
  if (!from.empty()) {
    std::optional<GridMasterLease> gm;
    if (auto cur = etcd_.range(key("gm")); cur && !cur->kvs.empty()) gm = GridMasterLease{cur->kvs.front().value, 0, {}};
    if (!gm || gm->holder != from) {
      ++rejected_stale_;
      spdlog::warn("{}: {} from {} refused: {} is not the grid master", o_.unit_id, op, from, from);
      publish_member();
      return;
    }
  }
  if (op == "reset") agent_->reset(reason);
  if (op == "shutdown") agent_->shut_down(reason);
}

void EtcdFabric::reply(const std::string& to, const std::string& id, const DeviceResult& r) {
  const Json body = r ? Json{{"ok", true}, {"data", to_wire(*r)}}
                      : Json{{"ok", false}, {"code", static_cast<int>(r.error().code)}, {"message", r.error().message}};
  etcd_.put(outbox(fmt::format("reply/{}/{}", to, id)), dump_json(body), message_lease());
  // A refused command shows in the unit's record at once.
  if (!r && r.error().code == ErrorCode::kRejected) publish_member();
}

std::int64_t EtcdFabric::message_lease() {
  const auto now = std::chrono::steady_clock::now();
  if (message_lease_ == 0 || now - message_lease_granted_ > std::chrono::seconds(15)) {
    if (auto lease = etcd_.grant(30)) {
      message_lease_ = *lease;
      message_lease_granted_ = now;
    }
  }
  return message_lease_;
}

std::optional<std::string> EtcdFabric::send_rpc(const std::string& unit, Json body) {
  std::string id = next_id();
  {
    std::lock_guard lock{mutex_};
    awaited_.insert(id);
  }
  if (!etcd_.put(outbox(fmt::format("rpc/{}/{}", unit, id)), dump_json(body), message_lease())) {
    std::lock_guard lock{mutex_};
    awaited_.erase(id);
    return std::nullopt;
  }
  return id;
}

std::optional<Json> EtcdFabric::take_reply_locked(const std::string& id, const std::string& unit) {
  auto it = replies_.find(id);
  if (it == replies_.end()) return std::nullopt;
  auto [writer, reply] = std::move(it->second);
  replies_.erase(it);
  if (writer != unit) {
    spdlog::warn("etcd: a reply to {} from {} (asked: {}): ignored", id, writer, unit);
    return std::nullopt;
  }
  return reply;
}

void EtcdFabric::forget_rpc(const std::string& unit, const std::string& id) {
  // Withdrawn: a node whose watch replays it later sees the withdrawal in the same batch.
  etcd_.remove(outbox(fmt::format("rpc/{}/{}", unit, id)));
  std::lock_guard lock{mutex_};
  replies_.erase(id);
  awaited_.erase(id);
}

std::optional<Json> EtcdFabric::call(const std::string& unit, Json body, std::chrono::milliseconds timeout) {
  const auto id = send_rpc(unit, std::move(body));
  if (!id) return std::nullopt;
  std::optional<Json> out;
  {
    std::unique_lock lock{mutex_};
    replied_.wait_for(lock, timeout, [&] { return replies_.contains(*id); });
    out = take_reply_locked(*id, unit);
  }
  forget_rpc(unit, *id);
  return out;
}

bool EtcdFabric::reachable(const std::string& unit) const {
  if (unit == o_.unit_id) return agent_ != nullptr && agent_->running() && etcd_ok_;
  std::lock_guard lock{mutex_};
  return etcd_ok_ && alive_.contains(unit);
}

Task<std::vector<Offer>> EtcdFabric::negotiate(const Offer& request, Duration timeout) {
  const std::string id = next_id();
  std::size_t expected = 0;
  {
    std::lock_guard lock{mutex_};
    answers_[id];
    for (const auto& [unit, m] : alive_) expected += unit != o_.unit_id ? 1 : 0;
  }
  std::vector<Offer> accepts;
  const TimePoint opened = scheduler_.now();
  if (etcd_ok_ && etcd_.put(outbox("negotiation/" + id), dump_json(Json{{"offer", to_wire(request)}}), message_lease())) {
    const TimePoint deadline = scheduler_.now() + timeout;
    // Close the window as soon as every live member has answered.
    while (scheduler_.now() < deadline) {
      {
        std::lock_guard lock{mutex_};
        if (answers_[id].size() >= expected) break;
      }
      co_await sleep_for(scheduler_, o_.poll);
    }
  }
  {
    std::lock_guard lock{mutex_};
    spdlog::debug("negotiation {}: {} of {} answered in {} ms", id, answers_[id].size(), expected,
                  (scheduler_.now() - opened).count());
    for (auto& a : answers_[id]) {
      if (a) accepts.push_back(std::move(*a));
    }
    answers_.erase(id);
  }
  etcd_.remove(outbox("negotiation/" + id));  // the answers expire with their message leases
  std::sort(accepts.begin(), accepts.end(), [](const Offer& a, const Offer& b) { return a.unit_id < b.unit_id; });
  co_return accepts;
}

std::vector<Deal> EtcdFabric::deals() const {
  std::vector<Deal> out;
  if (!etcd_ok_) return out;
  auto r = etcd_.range(key("deals/"), true);
  if (!r) return out;
  for (const auto& kv : r->kvs) {
    auto j = parse_json_text(kv.value, kv.key);
    auto d = j ? deal_from_wire(*j) : tl::expected<Deal, Error>(tl::unexpected(j.error()));
    if (!d) {
      spdlog::warn("etcd: {}: {}", kv.key, d.error().message);
      continue;
    }
    d->version = static_cast<std::uint64_t>(kv.mod_revision);
    out.push_back(std::move(*d));
  }
  std::sort(out.begin(), out.end(), [](const Deal& a, const Deal& b) {
    return std::tie(a.create_time, a.deal_id) < std::tie(b.create_time, b.deal_id);
  });
  return out;
}

std::optional<Deal> EtcdFabric::deal(const std::string& deal_id) const {
  if (!etcd_ok_) return std::nullopt;
  auto r = etcd_.range(key("deals/" + deal_id));
  if (!r || r->kvs.empty()) return std::nullopt;
  auto j = parse_json_text(r->kvs.front().value, deal_id);
  if (!j) return std::nullopt;
  auto d = deal_from_wire(*j);
  if (!d) return std::nullopt;
  d->version = static_cast<std::uint64_t>(r->kvs.front().mod_revision);
  return *d;
}

void EtcdFabric::for_each_deal(const std::function<void(const Deal&)>& visit) const {
  for (const auto& d : deals()) visit(d);
}

bool EtcdFabric::put_if_absent(const Deal& d) {
  if (!etcd_ok_) return false;
  auto r = etcd_.txn({Compare::absent(key("deals/" + d.deal_id))}, {Op::put(key("deals/" + d.deal_id), dump_json(to_wire(d)))});
  return r && r->succeeded;
}

bool EtcdFabric::update(Deal& d) {
  if (!etcd_ok_) return false;
  std::int64_t version = static_cast<std::int64_t>(d.version);
  if (version == 0) {
    auto cur = etcd_.range(key("deals/" + d.deal_id));
    if (!cur || cur->kvs.empty()) return false;
    version = cur->kvs.front().mod_revision;
  }
  auto r = etcd_.txn({Compare::modified_at(key("deals/" + d.deal_id), version)},
                     {Op::put(key("deals/" + d.deal_id), dump_json(to_wire(d)))});
  if (!r || !r->succeeded) return false;
  d.version = static_cast<std::uint64_t>(r->revision);
  return true;
}

bool EtcdFabric::remove(const std::string& deal_id) {
  auto r = etcd_.txn({}, {Op::remove(key("deals/" + deal_id)), Op::remove(key("stop/" + deal_id + "/"), true)});
  return r.has_value();
}

void EtcdFabric::need_to_stop(const std::string& deal_id, const std::string& reason) {
  etcd_.put(key(fmt::format("stop/{}/{}", deal_id, std::hash<std::string>{}(reason))), reason);
}

std::vector<std::string> EtcdFabric::take_need_to_stop(const std::string& deal_id) {
  std::vector<std::string> out;
  auto r = etcd_.range(key("stop/" + deal_id + "/"), true);
  if (!r) return out;
  for (const auto& kv : r->kvs) {
    out.push_back(kv.value);
    etcd_.remove(kv.key);
  }
  return out;
}

void EtcdFabric::log_deal(const Deal& d) {
  // Kept in etcd for an hour or so, on a lease of its own: the record outlives the grid master
  // that wrote it, long enough for the participants' deal logs and a dashboard's history to take
  // it, and the store does not grow without end.
  const auto now = std::chrono::steady_clock::now();
  if (log_lease_ == 0 || now - log_lease_granted_ > kLogRecordLife / 2) {
    if (auto lease = etcd_.grant(kLogRecordLife.count())) {
      log_lease_ = *lease;
      log_lease_granted_ = now;
    }
  }
  etcd_.put(key("log/" + d.deal_id), dump_json(deal_json(d, o_.utc_offset)), log_lease_);
}

bool EtcdFabric::acquire_interlock(const std::string& unit, const std::string& deal_id) {
  if (!reachable(unit)) return false;
  int capacity = o_.interlock_capacity;
  if (unit != o_.unit_id) {
    std::lock_guard lock{mutex_};
    auto it = alive_.find(unit);
    if (it == alive_.end()) return false;  // left since reachable() was asked
    capacity = it->second.capacity;
  }
  auto held = etcd_.range(key(fmt::format("interlock/{}/", unit)), true);
  if (!held) return false;
  for (const auto& kv : held->kvs) {
    if (kv.value == deal_id) return true;
  }
  for (int k = 0; k < capacity; ++k) {
    const std::string slot = key(fmt::format("interlock/{}/{}", unit, k));
    auto r = etcd_.txn({Compare::absent(slot)}, {Op::put(slot, deal_id)});
    if (r && r->succeeded) return true;
  }
  return false;
}

void EtcdFabric::release_interlock(const std::string& unit, const std::string& deal_id) {
  auto held = etcd_.range(key(fmt::format("interlock/{}/", unit)), true);
  if (!held) return;
  for (const auto& kv : held->kvs) {
    if (kv.value == deal_id) etcd_.txn({Compare::value_is(kv.key, deal_id)}, {Op::remove(kv.key)});
  }
}

bool EtcdFabric::has_local_errors(const std::string& unit) const {
  if (unit == o_.unit_id) return agent_ == nullptr || !agent_->running() || agent_->has_errors();
  std::lock_guard lock{mutex_};
  auto it = alive_.find(unit);
  return it == alive_.end() || it->second.errors;
}

std::optional<std::uint64_t> EtcdFabric::acquire_grid_master(const std::string& unit, TimePoint, Duration ttl) {
  if (!etcd_ok_) return std::nullopt;
  auto lease = etcd_.grant(std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(to_seconds(ttl)))));
  if (!lease) return std::nullopt;
  auto r = etcd_.txn({Compare::absent(key("gm"))}, {Op::put(key("gm"), unit, *lease)});
  if (!r || !r->succeeded) {
    etcd_.revoke(*lease);
    return std::nullopt;
  }
  gm_lease_ = *lease;
  const auto token = static_cast<std::uint64_t>(r->revision);
  std::lock_guard lock{mutex_};
  gm_ = GridMasterLease{unit, token, {}};
  return token;
}

bool EtcdFabric::renew_grid_master(const std::string& unit, std::uint64_t token, TimePoint, Duration) {
  if (gm_lease_ == 0 || !etcd_ok_) return false;
  auto ttl = etcd_.keep_alive(gm_lease_);
  if (!ttl || *ttl <= 0) return false;
  auto cur = etcd_.range(key("gm"));
  return cur && !cur->kvs.empty() && cur->kvs.front().value == unit &&
         static_cast<std::uint64_t>(cur->kvs.front().create_revision) == token;
}

void EtcdFabric::release_grid_master(const std::string&, std::uint64_t token) {
  resigned_token_ = token;
  etcd_.txn({Compare::created_at(key("gm"), static_cast<std::int64_t>(token))}, {Op::remove(key("gm"))});
  if (gm_lease_ != 0) etcd_.revoke(gm_lease_);
  gm_lease_ = 0;
}

void EtcdFabric::activate_grid_master(const std::string& unit) {
  if (unit == o_.unit_id) {
    if (agent_ != nullptr) agent_->take_grid_master();
    return;
  }
  // Fenced: the receiver takes it only from the grid master that has just resigned (this node,
  // with the token it held). No reply is awaited.
  if (auto id = send_rpc(unit, Json{{"op", "activate"}, {"token", resigned_token_}})) {
    std::lock_guard lock{mutex_};
    awaited_.erase(*id);
  }
}

void EtcdFabric::reset_all(const std::string& reason) {
  etcd_.put(outbox("broadcast/" + next_id()), dump_json(Json{{"op", "reset"}, {"reason", reason}}), message_lease());
}

void EtcdFabric::shutdown_all(const std::string& reason) {
  etcd_.put(outbox("broadcast/" + next_id()), dump_json(Json{{"op", "shutdown"}, {"reason", reason}}), message_lease());
}

std::optional<GridMasterLease> EtcdFabric::grid_master(TimePoint now) const {
  std::lock_guard lock{mutex_};
  if (!gm_ || !etcd_ok_) return std::nullopt;
  GridMasterLease g = *gm_;
  g.expires = now + seconds(1);
  return g;
}

Task<DeviceResult> EtcdFabric::control(const std::string& unit, ControlCommand command, std::uint64_t token) {
  if (unit == o_.unit_id) {
    if (agent_ == nullptr) co_return tl::unexpected(Error::not_available(unit + " is starting"));
    if (auto e = not_from_grid_master(unit, token, "control")) co_return tl::unexpected(*e);
    co_return co_await agent_->on_control(command, token);
  }
  if (!reachable(unit)) co_return tl::unexpected(Error::not_available(unit + " is not reachable"));
  const auto id = send_rpc(unit, Json{{"op", "control"}, {"token", token}, {"command", to_wire(command)}});
  if (!id) co_return tl::unexpected(Error::not_available("etcd is not reachable"));
  // Polled in the scheduler: a command may take minutes (a ramp-up) and the loop must go on.
  const TimePoint deadline = scheduler_.now() + kCommandTimeout;
  std::optional<Json> answer;
  while (scheduler_.now() < deadline && reachable(unit)) {
    {
      std::lock_guard lock{mutex_};
      answer = take_reply_locked(*id, unit);
    }
    if (answer) break;
    co_await sleep_for(scheduler_, o_.poll);
  }
  forget_rpc(unit, *id);
  if (!answer) co_return tl::unexpected(Error::not_available(fmt::format("{} did not answer {}", unit, to_string(command.kind))));
  co_return result_from(*answer);
}

DeviceResult EtcdFabric::unit_data(const std::string& unit, bool fresh, std::uint64_t token) {
  if (unit == o_.unit_id) {
    if (agent_ == nullptr) return tl::unexpected(Error::not_available(unit + " is starting"));
    if (token != 0) {
      if (auto e = not_from_grid_master(unit, token, "data")) return tl::unexpected(*e);
    }
    return agent_->on_data(fresh, token);
  }
  if (!reachable(unit)) return tl::unexpected(Error::not_available(unit + " is not reachable"));
  if (!fresh) {
    // The acquisitions' cache (what APIS's grid master gets for units outside deals): the record
    // each node publishes at its acquisitions' pace, instead of a round trip through etcd per
    // unit and main loop. Units in deals are asked, with the token, every loop.
    std::lock_guard lock{mutex_};
    if (auto it = alive_.find(unit); it != alive_.end() && it->second.data) return *it->second.data;
  }
  auto answer = call(unit, Json{{"op", "data"}, {"fresh", fresh}, {"token", token}}, o_.rpc_timeout);
  if (!answer) return tl::unexpected(Error::timeout(fmt::format("{} did not send its data", unit)));
  return result_from(*answer);
}

void EtcdFabric::market_changed(const std::string& unit, bool gained) {
  if (unit != o_.unit_id || !gained) return;
  ++my_market_;
  publish_member();  // the others retry their failed requests when they see it
}

std::uint64_t EtcdFabric::market_epoch() const {
  std::lock_guard lock{mutex_};
  std::uint64_t epoch = market_events_ + my_market_.load();
  for (const auto& [unit, m] : alive_) epoch += unit == o_.unit_id ? 0 : m.market;
  return epoch;
}

OperationMode EtcdFabric::global_mode() const {
  std::lock_guard lock{mutex_};
  return mode_.value_or(policy_mode_);
}

void EtcdFabric::set_global_mode(OperationMode m) {
  etcd_.put(key("mode"), std::string(to_string(m)));
  std::lock_guard lock{mutex_};
  mode_ = m;
}

void EtcdFabric::publish_global_error(const ApisError& e) {
  etcd_.put(key("global_errors/" + next_id()), dump_json(error_json(e)), lease_);
}

void EtcdFabric::hold_after_global_errors(TimePoint until) {
  etcd_.put(key("error_hold"), std::to_string(until.time_since_epoch().count()));
  std::lock_guard lock{mutex_};
  error_hold_until_ = until;
}

bool EtcdFabric::global_errors_held(TimePoint now) const {
  std::lock_guard lock{mutex_};
  return now < error_hold_until_;
}

bool EtcdFabric::has_global_errors() {
  if (!etcd_ok_) return false;
  auto r = etcd_.range(key("global_errors/"), true);
  return r && !r->kvs.empty();
}

std::vector<ApisError> EtcdFabric::take_global_errors() {
  std::vector<ApisError> out;
  if (!etcd_ok_) return out;
  auto r = etcd_.range(key("global_errors/"), true);
  if (!r) return out;
  for (const auto& kv : r->kvs) {
    etcd_.remove(kv.key);
    auto j = parse_json_text(kv.value, kv.key);
    if (!j || !j->is_object()) continue;
    // A field of the wrong type reads as its default, never an exception or a bad cast.
    auto field = [&](const char* name, int otherwise, int max) {
      const auto it = j->find(name);
      return std::clamp(it == j->end() ? otherwise : whole_number<int>(*it).value_or(otherwise), 0, max);
    };
    auto text = [&](const char* name) {
      const auto it = j->find(name);
      return it != j->end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    ApisError e;
    e.category = static_cast<ErrorCategory>(field("category", 4, 4));
    e.extent = static_cast<ErrorExtent>(field("extent", 2, 2));
    e.level = static_cast<ErrorLevel>(field("level", 3, 3));
    e.unit_id = text("unit");
    e.message = text("message");
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace wattshare::cluster
