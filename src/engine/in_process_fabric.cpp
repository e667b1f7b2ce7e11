#include "engine/in_process_fabric.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "engine/unit_agent.hpp"

namespace wattshare {

InProcessFabric::InProcessFabric(const Policy& policy)
    : members_(policy.member_unit_ids), global_mode_(policy.operation_mode) {
  std::sort(members_.begin(), members_.end());
}

void InProcessFabric::join(UnitAgent& agent) {
  ++market_epoch_;
  agents_[agent.id()] = &agent;
  by_member_.assign(members_.size(), nullptr);
  running_.assign(members_.size(), false);
  reachable_ = 0;
  for (std::size_t i = 0; i < members_.size(); ++i) {
    by_member_[i] = this->agent(members_[i]);
    member_index_[members_[i]] = i;
    running_[i] = by_member_[i] != nullptr && by_member_[i]->running();
    reachable_ += running_[i] ? 1 : 0;
  }
}

void InProcessFabric::market_changed(const std::string& unit, bool gained) {
  if (gained) ++market_epoch_;
  auto it = member_index_.find(unit);
  if (it == member_index_.end()) return;
  const UnitAgent* a = by_member_[it->second];
  // Starts and crashes come through here: the running members are counted as they change.
  const bool up = a != nullptr && a->running();
  if (up != static_cast<bool>(running_[it->second])) {
    running_[it->second] = up;
    up ? ++reachable_ : --reachable_;
  }
  for (DealDirection type : {DealDirection::kCharge, DealDirection::kDischarge}) {
    auto& set = offering_[static_cast<int>(type)];
    if (a != nullptr && a->offers_accept(type)) {
      set.insert(it->second);
    } else {
      set.erase(it->second);
    }
  }
}

UnitAgent* InProcessFabric::agent(const std::string& unit) const {
  auto it = agents_.find(unit);
  return it == agents_.end() ? nullptr : it->second;
}

bool InProcessFabric::reachable(const std::string& unit) const {
  const UnitAgent* a = agent(unit);
  return a != nullptr && a->running();
}

std::size_t InProcessFabric::reachable_members() const {
  return reachable_;  // every negotiation asks: counted as units start and stop, not each time
}

Task<std::vector<Offer>> InProcessFabric::negotiate(const Offer& request, Duration timeout) {
  std::vector<Offer> accepts;
  UnitAgent* requester = agent(request.unit_id);
  for (std::size_t i : offering_[static_cast<int>(request.type)]) {  // unit-id order
    UnitAgent* a = by_member_[i];
    if (a == requester || a == nullptr || !a->running()) continue;
    if (auto accept = a->on_request(request)) accepts.push_back(std::move(*accept));
  }
  // A dead unit never answers.
  const bool requester_member = requester != nullptr && member_index_.count(request.unit_id) > 0;
  const std::size_t expected = members_.size() - (requester_member ? 1 : 0);
  const std::size_t answered =
      reachable_members() - (requester_member && requester->running() ? 1 : 0);
  // Close the window as soon as every member has answered; wait the timeout only for the silent.
  if (answered < expected && requester != nullptr) {
    co_await sleep_for(requester->scheduler(), timeout);
  }
  co_return accepts;
}

std::vector<Deal> InProcessFabric::deals() const {
  std::vector<Deal> out;
  out.reserve(deals_.size());
  for (const auto& [key, d] : deals_) out.push_back(d);
  return out;
}

void InProcessFabric::for_each_deal(const std::function<void(const Deal&)>& visit) const {
  for (const auto& [key, d] : deals_) visit(d);
}

std::optional<Deal> InProcessFabric::deal(const std::string& deal_id) const {
  auto at = by_id_.find(deal_id);
  if (at == by_id_.end()) return std::nullopt;
  return at->second->second;
}

bool InProcessFabric::visit_deal(const std::string& deal_id,
                                 const std::function<void(const Deal&)>& visit) const {
  auto at = by_id_.find(deal_id);
  if (at == by_id_.end()) return false;
  visit(at->second->second);
  return true;
}

bool InProcessFabric::put_if_absent(const Deal& d) {
  if (by_id_.contains(d.deal_id)) return false;
  auto entry = deals_.try_emplace({d.create_time, d.deal_id}, d).first;
  by_id_.emplace(d.deal_id, entry);
  Deal& stored = entry->second;
  stored.version = 1;
  ++deals_created_;
  if (observer_) observer_(stored);
  return true;
}

bool InProcessFabric::update(Deal& d) {
  auto at = by_id_.find(d.deal_id);
  if (at == by_id_.end()) return false;
  Deal& stored = at->second->second;
  if (d.version != 0 && stored.version != d.version) return false;
  d.version = stored.version + 1;
  d.create_time = stored.create_time;  // the key: never changes
  stored = d;
  if (observer_) observer_(d);
  return true;
}

bool InProcessFabric::remove(const std::string& deal_id) {
  need_to_stop_.erase(deal_id);
  auto at = by_id_.find(deal_id);
  if (at == by_id_.end()) return false;
  deals_.erase(at->second);
  by_id_.erase(at);
  return true;
}

void InProcessFabric::need_to_stop(const std::string& deal_id, const std::string& reason) {
  if (!by_id_.contains(deal_id)) return;
  auto& list = need_to_stop_[deal_id];
  if (std::find(list.begin(), list.end(), reason) == list.end()) list.push_back(reason);
}

std::vector<std::string> InProcessFabric::take_need_to_stop(const std::string& deal_id) {
  auto it = need_to_stop_.find(deal_id);
  if (it == need_to_stop_.end()) return {};
  auto out = std::move(it->second);
  need_to_stop_.erase(it);
  return out;
}

void InProcessFabric::log_deal(const Deal& d) {
  if (deal_log_) deal_log_(d);
}

bool InProcessFabric::acquire_interlock(const std::string& unit, const std::string& deal_id) {
  UnitAgent* a = agent(unit);
  return a != nullptr && a->running() && a->acquire_interlock(deal_id);
}

void InProcessFabric::release_interlock(const std::string& unit, const std::string& deal_id) {
  if (UnitAgent* a = agent(unit)) a->release_interlock(deal_id);
}

bool InProcessFabric::has_local_errors(const std::string& unit) const {
  const UnitAgent* a = agent(unit);
  return a == nullptr || !a->running() || a->has_errors();
}

std::optional<std::uint64_t> InProcessFabric::acquire_grid_master(const std::string& unit,
                                                                  TimePoint now, Duration ttl) {
  if (lease_ && lease_->expires > now) return std::nullopt;
  lease_ = GridMasterLease{unit, next_token_++, now + ttl};
  return lease_->token;
}

bool InProcessFabric::renew_grid_master(const std::string& unit, std::uint64_t token,
                                        TimePoint now, Duration ttl) {
  if (!lease_ || lease_->holder != unit || lease_->token != token || lease_->expires <= now)
    return false;
  lease_->expires = now + ttl;
  return true;
}

void InProcessFabric::release_grid_master(const std::string& unit, std::uint64_t token) {
  if (lease_ && lease_->holder == unit && lease_->token == token) lease_.reset();
}

void InProcessFabric::activate_grid_master(const std::string& unit) {
  if (UnitAgent* a = agent(unit)) a->take_grid_master();
}

void InProcessFabric::reset_all(const std::string& reason) {
  for (UnitAgent* a : by_member_)
    if (a != nullptr) a->reset(reason);
}

void InProcessFabric::shutdown_all(const std::string& reason) {
  for (UnitAgent* a : by_member_)
    if (a != nullptr) a->shut_down(reason);
}

std::optional<GridMasterLease> InProcessFabric::grid_master(TimePoint now) const {
  if (lease_ && lease_->expires > now) return lease_;
  return std::nullopt;
}

Task<DeviceResult> InProcessFabric::control(const std::string& unit, ControlCommand command,
                                            std::uint64_t token) {
  UnitAgent* a = agent(unit);
  if (a == nullptr || !a->running())
    co_return tl::unexpected(Error::not_available(unit + " is not reachable"));
  co_return co_await a->on_control(command, token);
}

DeviceResult InProcessFabric::unit_data(const std::string& unit, bool fresh, std::uint64_t token) {
  UnitAgent* a = agent(unit);
  if (a == nullptr || !a->running())
    return tl::unexpected(Error::not_available(unit + " is not reachable"));
  return a->on_data(fresh, token);
}

std::vector<ApisError> InProcessFabric::take_global_errors() {
  std::vector<ApisError> out;
  out.swap(global_errors_);
  return out;
}

}  // namespace wattshare
