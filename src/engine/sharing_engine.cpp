#include "engine/sharing_engine.hpp"

#include <algorithm>

#include "core/random.hpp"
#include "engine/grid_master.hpp"

namespace wattshare {

SharingEngine::SharingEngine(Community& community, Scheduler& scheduler, const CommunitySpec& spec,
                             AgentHooks hooks)
    : community_(community),
      scheduler_(scheduler),
      spec_(spec),
      fabric_(spec.units.front().apis.policy) {
  const Duration offset = from_seconds(spec.location.utc_offset_h * 3600.0);
  for (std::size_t i = 0; i < spec.units.size(); ++i) {
    devices_.push_back(std::make_unique<EmulatedDcdc>(community, i, scheduler));
    agents_.push_back(std::make_unique<UnitAgent>(spec.units[i].id, scheduler, fabric_,
                                                  *devices_.back(), spec.units[i].apis, offset,
                                                  hash_key(spec.seed, 0xa6e7, i), hooks));
    fabric_.join(*agents_.back());
  }
  checker_ = std::make_unique<InvariantChecker>(community, *this, spec.units.front().apis.policy);
  fabric_.on_deal_log([this](const Deal& d) {
    checker_->on_disposed(d);
    if (d.scram) ++stats_.deals_scrammed;
    else if (!d.abort.empty()) ++stats_.deals_aborted;
    else if (d.started()) ++stats_.deals_completed;
    if (deal_sink_) deal_sink_(d);
  });
}

SharingEngine::~SharingEngine() {
  if (check_timer_ != kNoTimer) scheduler_.cancel(check_timer_);
  for (auto& a : agents_) a->crash();
}

void SharingEngine::start(std::optional<OperationMode> mode) {
  if (mode) fabric_.set_global_mode(*mode);
  // The emulated drivers stop a converter whose agent missed an acquisition and a half.
  const auto& c = spec_.units.front().apis.policy.controller;
  community_.set_host_watchdog(milliseconds(3 * c.data_acquisition_period_ms / 2));
  const TimePoint phase = scheduler_.now();
  // In step: one scheduler entry per period for all units (see SimScheduler), same results.
  for (auto& a : agents_) a->start(phase, /*spread=*/false);
  const auto period = milliseconds(spec_.units.front().apis.policy.controller.data_acquisition_period_ms);
  check_timer_ = scheduler_.every(period, [this] {
    community_.advance_to(scheduler_.now());
    checker_->run(scheduler_.now());
  }, phase + period);
}

GridMastersActing SharingEngine::grid_masters_acting() const {
  GridMastersActing g;
  for (const auto& a : agents_) {
    if (a->running() && a->hosts_grid_master() && !a->grid_master()->stopped()) {
      ++g.count;
      g.last_loop = std::max(g.last_loop, a->grid_master()->last_activity());
    }
  }
  return g;
}

void SharingEngine::shutdown(SimScheduler* drain) {
  if (check_timer_ != kNoTimer) scheduler_.cancel(check_timer_);
  check_timer_ = kNoTimer;
  for (auto& a : agents_) a->crash();
  // Procedures waiting on a timer end (Cancelled) when it fires; run those timers out.
  if (drain != nullptr) drain->run_for(minutes(10));
}

tl::expected<std::string, Error> SharingEngine::inject_deal(const std::string& discharge_unit,
                                                           const std::string& charge_unit,
                                                           long long amount_wh, double current_a,
                                                           std::uint16_t fail_points) {
  UnitAgent* from = fabric_.agent(discharge_unit);
  UnitAgent* to = fabric_.agent(charge_unit);
  if (from == nullptr || to == nullptr || from == to)
    return tl::unexpected(Error::bad_input("inject_deal: two distinct known units are needed"));
  Deal d;
  d.unit_id = charge_unit;
  d.negotiation_id = "injected";
  d.deal_id = "injected-" + std::to_string(++injected_);
  d.request_unit_id = charge_unit;
  d.accept_unit_id = discharge_unit;
  d.type = DealDirection::kCharge;
  d.charge_unit_id = charge_unit;
  d.discharge_unit_id = discharge_unit;
  d.request_time = d.accept_time = d.create_time = scheduler_.now();
  d.request_deal_grid_current_a = d.accept_deal_grid_current_a = d.deal_grid_current_a = current_a;
  d.request_amount_wh = d.accept_amount_wh = static_cast<double>(amount_wh);
  d.deal_amount_wh = amount_wh;
  d.fail_points = fail_points;
  const std::string& first = std::min(charge_unit, discharge_unit);
  const std::string& second = std::max(charge_unit, discharge_unit);
  if (!fabric_.acquire_interlock(first, d.deal_id))
    return tl::unexpected(Error::rejected(first + " has no free deal slot"));
  if (!fabric_.acquire_interlock(second, d.deal_id)) {
    fabric_.release_interlock(first, d.deal_id);
    return tl::unexpected(Error::rejected(second + " has no free deal slot"));
  }
  fabric_.put_if_absent(d);
  return d.deal_id;
}

UnitAgent* SharingEngine::grid_master_host() {
  for (auto& a : agents_)
    if (a->running() && a->hosts_grid_master()) return a.get();
  return nullptr;
}

}  // namespace wattshare
