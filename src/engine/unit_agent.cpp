#include "engine/unit_agent.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/apis_time.hpp"
#include "core/random.hpp"
#include "engine/grid_master.hpp"

namespace wattshare {
namespace {

// Seconds since local midnight, for the scenario's time slices.
int local_seconds(TimePoint t, Duration offset) {
  const auto local = t + offset;
  return static_cast<int>(
      std::chrono::floor<seconds>(local - std::chrono::floor<std::chrono::days>(local)).count());
}

}  // namespace

UnitAgent::UnitAgent(std::string unit_id, Scheduler& scheduler, Fabric& fabric, Dcdc& dcdc,
                     const ConfigSet& config, Duration utc_offset, std::uint64_t seed,
                     AgentHooks hooks)
    : id_(std::move(unit_id)),
      scheduler_(scheduler),
      fabric_(fabric),
      dcdc_(dcdc),
      config_(config),
      utc_offset_(utc_offset),
      seed_(seed),
      hooks_(std::move(hooks)),
      life_(make_lifetime()),
      controller_(dcdc, scheduler, config.policy, config.hw, life_) {
  capacity_ = deal_interlock_capacity(config);
}

UnitAgent::~UnitAgent() { crash(); }

void UnitAgent::start(TimePoint phase, bool spread_phases) {
  if (!life_->alive()) {  // restarted after a crash: the old procedures stay ended
    life_ = make_lifetime();
    controller_.set_lifetime(life_);
  }
  running_ = true;
  fabric_.market_changed(id_, false);  // reachable again, whatever its first acquisition gives
  market_signature_ = -1;  // a (re)started unit is news to the market
  const auto& p = config_.policy;
  const auto ms = [](long long v) { return milliseconds(v); };
  // Spread house keeping and grid-master watching over the period, deterministically per unit,
  // so units do not all request in the same instant.
  const auto spread = [&](long long period_ms, std::uint64_t salt) {
    if (!spread_phases) return ms(period_ms);
    return ms(1 + static_cast<long long>(uniform01(hash_key(seed_, salt)) * (period_ms - 1)));
  };
  acquire();
  timers_.push_back(scheduler_.every(ms(p.controller.data_acquisition_period_ms), [this] { acquire(); },
                                     phase + ms(p.controller.data_acquisition_period_ms)));
  timers_.push_back(scheduler_.every(ms(p.user.house_keeping_period_ms), [this] { house_keeping(); },
                                     phase + spread(p.user.house_keeping_period_ms, 1)));
  timers_.push_back(scheduler_.every(ms(p.grid_master.main_loop_period_ms),
                                     [this] { watch_grid_master(); },
                                     phase + spread(p.grid_master.main_loop_period_ms, 3)));
  last_grid_master_contact_ = scheduler_.now();
}

void UnitAgent::crash() {
  if (!running_ && timers_.empty()) return;
  running_ = false;
  fabric_.market_changed(id_, false);
  for (TimerId t : timers_) scheduler_.cancel(t);
  timers_.clear();
  if (error_timer_) scheduler_.cancel(*error_timer_);
  error_timer_.reset();
  life_->end();  // every procedure of this unit unwinds now, its frames freed
  if (grid_master_) grid_master_->stop();
  grid_master_.reset();
}

void UnitAgent::note(const std::string& what) {
  if (hooks_.event) hooks_.event(id_, what);
}

void UnitAgent::raise(const ApisError& e) {
  if (hooks_.error) hooks_.error(e);
  recent_errors_.push_back(e);
  if (recent_errors_.size() > 20) recent_errors_.erase(recent_errors_.begin());
  if (e.level == ErrorLevel::kWarn) return;
  if (e.extent == ErrorExtent::kGlobal) {
    fabric_.publish_global_error(e);
  } else {
    pending_errors_.push_back(e);
    arm_error_handling();
  }
}

void UnitAgent::arm_error_handling() {
  // Handled on the next error-handling period (APIS polls every errorHandlingPeriodMsec; an
  // idle unit need not wake up every second for nothing).
  if (error_timer_ || !running_ || pending_errors_.empty()) return;
  error_timer_ = scheduler_.after(milliseconds(config_.policy.user.error_handling_period_ms), [this] {
    error_timer_.reset();
    handle_errors();
  });
}

std::pair<int, int> UnitAgent::deal_directions(LocalSafetyContext* context) const {
  // Through this unit's interlocks: one lookup per own deal, not a walk of the whole table.
  int charge = 0, discharge = 0;
  for (const auto& id : interlocks_) {
    fabric_.visit_deal(id, [&](const Deal& d) {
      if (context != nullptr && !d.started()) context->warming_up = true;
      if (d.deactivated()) return;
      if (d.charge_unit_id == id_) ++charge;
      if (d.discharge_unit_id == id_) ++discharge;
      if (context == nullptr || !d.activated()) return;
      if (d.charge_unit_id == id_) ++context->active_as_charge;
      if (d.discharge_unit_id == id_) ++context->active_as_discharge;
    });
  }
  return {charge, discharge};
}

void UnitAgent::report_failed_abortions() {
  // DealExecution.doLoop_ reports a failed DealAbortion on both units as HARDWARE:LOCAL:ERROR
  // (ErrorUtil.report with their ids); here the grid master counts it in the deal and each unit
  // raises it, so its own error handling stops its converter.
  std::erase_if(abortion_failures_seen_, [&](const auto& seen) { return !interlocks_.count(seen.first); });
  for (const auto& id : interlocks_) {
    int failures = 0;
    fabric_.visit_deal(id, [&](const Deal& d) { failures = d.abortion_failures; });
    if (failures == 0) continue;  // the usual case: nothing to remember
    int& seen = abortion_failures_seen_[id];
    if (failures <= seen) continue;
    seen = failures;
    raise({ErrorCategory::kHardware, ErrorExtent::kLocal, ErrorLevel::kError, id_, "deal abortion failed"});
  }
}

void UnitAgent::change_config(std::string what, std::function<void()> change) {
  config_changes_.emplace_back(std::move(what), std::move(change));
  apply_config_changes();
}

void UnitAgent::apply_config_changes() {
  // A negotiation holds its scenario rule, a grid-master loop its policy's lists, across waits.
  if (config_changes_.empty() || negotiating_ || (grid_master_ && grid_master_->looping())) return;
  for (auto& [what, change] : config_changes_) {
    change();
    note(what);
  }
  config_changes_.clear();
  capacity_ = deal_interlock_capacity(config_);
  request_slice_ = nullptr;
  request_band_ = nullptr;
  accept_for_charge_.reset();
  accept_for_discharge_.reset();
  accepts_slice_ = nullptr;
  accepts_remaining_wh_ = -1;
  failed_request_.reset();  // the new rules may find a taker where the old did not
  if (data_) refresh_accepts();
}

void UnitAgent::acquire() {
  if (!running_) return;
  apply_config_changes();
  auto r = dcdc_.read();
  if (!r) {
    raise({ErrorCategory::kHardware, ErrorExtent::kLocal, ErrorLevel::kError, id_,
           "data acquisition failed: " + r.error().message});
    return;
  }
  data_ = *r;
  refresh_accepts();
  LocalSafetyContext ctx;
  ctx.hw = &config_.hw;
  ctx.policy = &config_.policy;
  ctx.unit_id = id_;
  ctx.effective_mode = effective_mode();
  ctx.dynamic_checks_suspended = controller_.dynamic_checks_suspended();
  ctx.command_in_progress = controller_.busy();
  if (!interlocks_.empty()) {
    const auto [charge, discharge] = deal_directions(&ctx);
    ctx.deals_as_charge = charge;
    ctx.deals_as_discharge = discharge;
    report_failed_abortions();
  }
  for (const auto& e : evaluate_local_safety(*data_, ctx, safety_counters_)) raise(e);
  // Fail-safe that APIS lacks: a converter driving the bus needs a live grid master. A dealing
  // unit hears from it every main loop; silence beyond one period puts the converter to WAIT at
  // once, so no deal outlives its grid master by two periods. Not in Manual: there the operator
  // drives the converter, no grid master does (LocalSafetyEvaluation skips everything but the
  // static ranges in manual).
  const auto& g = config_.policy.grid_master;
  const Duration silence = scheduler_.now() - last_grid_master_contact_;
  if (ctx.effective_mode != OperationMode::kManual && data_->mode != DcdcMode::kWait && !controller_.busy() &&
      silence > milliseconds(g.main_loop_period_ms + 1000)) {
    raise({ErrorCategory::kHardware, ErrorExtent::kLocal, ErrorLevel::kError, id_,
           fmt::format("no grid master contact for {:.0f} s with the converter in {}",
                       to_seconds(silence), mode_code(data_->mode))});
    last_grid_master_contact_ = scheduler_.now();
    spawn([](UnitAgent* self) -> Task<void> {
      auto r = co_await self->controller_.execute(ControlCommand{ControlKind::kWait});
      if (r) self->data_ = *r;
      self->note("converter to WAIT: the grid master went silent");
    }(this), life_);
  }
}

OperationMode UnitAgent::effective_mode() const {
  const OperationMode global = fabric_.global_mode();
  if (!local_mode_) return global;
  if (global == OperationMode::kAutonomous || global == OperationMode::kHeteronomous)
    return *local_mode_;
  return global;
}

tl::expected<void, Error> check_local_mode(std::optional<OperationMode> m) {
  if (m && *m != OperationMode::kHeteronomous && *m != OperationMode::kStop)
    return tl::unexpected(Error::bad_input(fmt::format(
        "local mode must be null, heteronomous or stop, not {}", to_string(*m))));
  return {};
}

tl::expected<void, Error> UnitAgent::set_local_mode(std::optional<OperationMode> m) {
  if (auto ok = check_local_mode(m); !ok) return ok;
  local_mode_ = m;
  note_market();
  if (hooks_.local_mode) hooks_.local_mode(m);
  return {};
}

bool UnitAgent::has_errors() const {
  return !pending_errors_.empty() || handling_errors_ || scheduler_.now() < errors_until_;
}

bool UnitAgent::may_deal() const {
  return running_ && !shutdown_ && data_ && !has_errors() &&
         effective_mode() == OperationMode::kAutonomous && !fabric_.global_errors_held(scheduler_.now()) &&
         static_cast<int>(interlocks_.size()) < capacity_;
}

bool UnitAgent::acquire_interlock(const std::string& deal_id) {
  if (!running_ || static_cast<int>(interlocks_.size()) >= capacity_) return false;
  const bool taken = interlocks_.insert(deal_id).second;
  note_market();
  return taken;
}

void UnitAgent::release_interlock(const std::string& deal_id) {
  interlocks_.erase(deal_id);
  note_market();
}

void UnitAgent::house_keeping() {
  if (negotiating_ || !may_deal()) return;
  const TimeSlice* slice = config_.scenario.slice_at_seconds(local_seconds(data_->time, utc_offset_));
  if (slice == nullptr) {
    raise({ErrorCategory::kUser, ErrorExtent::kLocal, ErrorLevel::kWarn, id_,
           "no scenario time slice for " + format_apis_time(data_->time, utc_offset_)});
    return;
  }
  const UnitView me{id_, std::floor(config_.hw.battery_nominal_capacity_wh * data_->rsoc_pct / 100.0),
                    config_.hw.efficient_battery_grid_voltage_ratio.value_or(0) * data_->meter.vb_v,
                    data_->time};
  // The rule that failed last time, in a market that has not changed: skip before building.
  const BatteryBand* band = slice->band_for(me.remaining_wh);
  if (failed_request_ && failed_request_->epoch == fabric_.market_epoch() &&
      failed_request_->slice == slice && failed_request_->band == band)
    return;
  auto request = make_request(*slice, me, config_.policy);
  if (!request) return;
  // The same request found no taker and no unit's ability to accept has changed since: it would
  // fail again. Skip the broadcast (same outcome, no cost).
  if (failed_request_ && failed_request_->epoch == fabric_.market_epoch() &&
      failed_request_->is(*request))
    return;
  request_slice_ = slice;
  request_band_ = band;
  spawn(negotiate(*request), life_);
}

void UnitAgent::note_market() {
  // What other units' negotiations depend on: the requests this unit would answer now (it may
  // deal and has an accept offer of that type, paired or not).
  const bool may = may_deal();
  const auto answers = [may](const std::optional<Offer>& o) {
    return !may || !o ? 0 : (o->pair_unit_id ? 2 : 1);
  };
  const int signature = answers(accept_for_charge_) | answers(accept_for_discharge_) << 2;
  if (signature != market_signature_) {
    // Gained: it answers a request it did not (a unit freed from a deal that accepts nothing
    // gains nothing for the others).
    const bool gained =
        market_signature_ < 0 ? signature != 0 : (signature & ~market_signature_) != 0;
    market_signature_ = signature;
    fabric_.market_changed(id_, gained);
  }
}

void UnitAgent::refresh_accepts() {
  const TimeSlice* slice =
      data_ ? config_.scenario.slice_at_seconds(local_seconds(data_->time, utc_offset_)) : nullptr;
  if (slice == nullptr) {
    accept_for_charge_.reset();
    accept_for_discharge_.reset();
    accepts_slice_ = nullptr;
    return;
  }
  const UnitView me{id_, std::floor(config_.hw.battery_nominal_capacity_wh * data_->rsoc_pct / 100.0),
                    config_.hw.efficient_battery_grid_voltage_ratio.value_or(0) * data_->meter.vb_v,
                    data_->time};
  if (slice == accepts_slice_ && me.remaining_wh == accepts_remaining_wh_) {
    for (auto* o : {&accept_for_charge_, &accept_for_discharge_}) {
      if (!*o) continue;
      (*o)->efficient_grid_voltage_v = me.efficient_grid_voltage_v;
      (*o)->time = me.time;
    }
    note_market();
    return;
  }
  accepts_slice_ = slice;
  accepts_remaining_wh_ = me.remaining_wh;
  // Pairing is checked per request (on_request): a paired accept is kept ready like any other.
  accept_for_charge_ = accept_offer(*slice, me, DealDirection::kCharge, config_.policy);
  accept_for_discharge_ = accept_offer(*slice, me, DealDirection::kDischarge, config_.policy);
  note_market();
}

bool UnitAgent::offers_accept(DealDirection request_type) const {
  return running_ && may_deal() &&
         (request_type == DealDirection::kCharge ? accept_for_charge_ : accept_for_discharge_)
             .has_value();
}

std::optional<Offer> UnitAgent::on_request(const Offer& request) {
  if (!may_deal()) return std::nullopt;
  const auto& accept =
      request.type == DealDirection::kCharge ? accept_for_charge_ : accept_for_discharge_;
  if (!accept || !pairing_allows(request, id_, accept)) return std::nullopt;
  return accept;
}

std::string UnitAgent::new_deal_id() {
  // A UUID-shaped id that is deterministic in simulation: hashed from the seed and a counter.
  const std::uint64_t a = hash_key(seed_, 0xdea1, ++deal_seq_);
  const std::uint64_t b = mix64(a ^ 0x9e3779b97f4a7c15ULL);
  return fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff, a & 0xfff,
                     0x8000 | ((b >> 48) & 0x3fff), b & 0xffffffffffffULL);
}

Task<void> UnitAgent::negotiate(Offer request) {
  negotiating_ = true;
  ++negotiations_;
  struct Clear {
    bool& flag;
    ~Clear() { flag = false; }
  } clear{negotiating_};
  const std::uint64_t epoch = fabric_.market_epoch();
  const TimePoint asked = scheduler_.now();
  const auto accepts = co_await fabric_.negotiate(
      request, milliseconds(config_.policy.mediator.negotiation_timeout_ms));
  if (accepts.empty() && epoch != 0 && epoch == fabric_.market_epoch())
    failed_request_ =
        FailedRequest{request.type, request.pair_unit_id, epoch, request_slice_, request_band_};
  if (!running_ || !may_deal()) co_return;
  const TimeSlice* slice = config_.scenario.slice_at_seconds(local_seconds(data_->time, utc_offset_));
  const AcceptSelection strategy =
      slice ? config_.scenario.selection_for(*slice) : config_.scenario.accept_selection;
  const Offer* accept = choose_accept(strategy, request, accepts);
  if (accept == nullptr) co_return;
  const auto terms = size_deal(request, *accept, config_.policy);
  if (!terms) co_return;

  Deal d;
  d.unit_id = id_;
  d.negotiation_id = fmt::format("{}-n{}", id_, negotiations_);
  d.deal_id = new_deal_id();
  d.request_unit_id = request.unit_id;
  d.accept_unit_id = accept->unit_id;
  d.type = request.type;
  const bool charge = request.type == DealDirection::kCharge;
  d.charge_unit_id = charge ? request.unit_id : accept->unit_id;
  d.discharge_unit_id = charge ? accept->unit_id : request.unit_id;
  d.request_time = request.time;
  d.accept_time = accept->time;
  d.request_point_per_wh = request.point_per_wh;
  d.accept_point_per_wh = accept->point_per_wh;
  d.point_per_wh = terms->point_per_wh;
  d.request_deal_grid_current_a = request.deal_grid_current_a;
  d.accept_deal_grid_current_a = accept->deal_grid_current_a;
  d.deal_grid_current_a = terms->grid_current_a;
  d.request_amount_wh = request.amount_wh;
  d.accept_amount_wh = accept->amount_wh;
  d.deal_amount_wh = terms->amount_wh;
  (charge ? d.charge_unit_efficient_grid_voltage_v : d.discharge_unit_efficient_grid_voltage_v) =
      request.efficient_grid_voltage_v;
  (charge ? d.discharge_unit_efficient_grid_voltage_v : d.charge_unit_efficient_grid_voltage_v) =
      accept->efficient_grid_voltage_v;
  d.request_pair_unit_id = request.pair_unit_id;
  d.accept_pair_unit_id = accept->pair_unit_id;

  // Deal creation (reference §4.4): both units free of local errors, interlocks in unit-id order.
  if (fabric_.has_local_errors(d.charge_unit_id) || fabric_.has_local_errors(d.discharge_unit_id))
    co_return;
  const std::string& first = std::min(d.charge_unit_id, d.discharge_unit_id);
  const std::string& second = std::max(d.charge_unit_id, d.discharge_unit_id);
  if (!fabric_.acquire_interlock(first, d.deal_id)) co_return;
  if (!fabric_.acquire_interlock(second, d.deal_id)) {
    fabric_.release_interlock(first, d.deal_id);
    co_return;
  }
  d.create_time = data_->time;
  if (!fabric_.put_if_absent(d)) {
    fabric_.release_interlock(second, d.deal_id);
    fabric_.release_interlock(first, d.deal_id);
    raise({ErrorCategory::kLogic, ErrorExtent::kGlobal, ErrorLevel::kError, id_,
           "deal " + d.deal_id + " already exists"});
    co_return;
  }
  note(fmt::format("deal {} created: {} -> {} {} Wh at {} A, {} ms after its request", d.deal_id,
                   d.discharge_unit_id, d.charge_unit_id, d.deal_amount_wh, d.deal_grid_current_a,
                   (scheduler_.now() - asked).count()));
}

Task<DeviceResult> UnitAgent::on_control(ControlCommand command, std::uint64_t token) {
  if (!running_) co_return tl::unexpected(Error::not_available(id_ + " is not running"));
  if (token < highest_token_) {
    ++rejected_commands_;
    note(fmt::format("rejected {} with stale grid-master token {} < {}", to_string(command.kind),
                     token, highest_token_));
    co_return tl::unexpected(Error::rejected(fmt::format(
        "{}: stale grid-master token {} (newest seen {})", id_, token, highest_token_)));
  }
  highest_token_ = token;
  last_grid_master_contact_ = scheduler_.now();
  auto r = co_await controller_.execute(command);
  if (r) data_ = *r;
  co_return r;
}

DeviceResult UnitAgent::on_data(bool fresh, std::uint64_t token) {
  if (!running_) return tl::unexpected(Error::not_available(id_ + " is not running"));
  if (token != 0) {
    if (token < highest_token_) {
      ++rejected_commands_;
      return tl::unexpected(Error::rejected(fmt::format(
          "{}: stale grid-master token {} (newest seen {})", id_, token, highest_token_)));
    }
    highest_token_ = token;
    last_grid_master_contact_ = scheduler_.now();
  }
  if (fresh || !data_) {
    auto r = dcdc_.read();
    if (!r) return r;
    data_ = *r;
  }
  return *data_;
}

void UnitAgent::handle_errors() {
  if (!running_ || handling_errors_ || pending_errors_.empty()) return;
  std::vector<ApisError> errors;
  errors.swap(pending_errors_);
  bool fatal = false, reset = false;
  std::string reason;
  for (const auto& e : errors) {
    fatal = fatal || e.level == ErrorLevel::kFatal || e.level == ErrorLevel::kUnknown;
    reset = reset || e.category == ErrorCategory::kFramework || e.category == ErrorCategory::kLogic;
    if (reason.empty()) reason = format_apis_error(e);
  }
  // Handling matrix (reference §5), LOCAL rows: every row asks the unit's deals to stop and
  // stops the converter; FRAMEWORK/LOGIC also resign the grid master and reset; FATAL shuts down.
  handling_errors_ = true;
  errors_until_ = scheduler_.now() + milliseconds(config_.policy.user.error_sustaining_ms);
  note_market();
  spawn([](UnitAgent* self, std::string why, bool fat, bool rst) -> Task<void> {
    co_await self->stop_local(why);
    self->handling_errors_ = false;
    self->errors_until_ =
        self->scheduler_.now() + milliseconds(self->config_.policy.user.error_sustaining_ms);
    if (fat) {
      self->finish_shutdown(why);
    } else if (rst) {
      self->reset(why);
    }
    // Errors raised while this round ran (a measurement still out of range) get their own round;
    // without it they would stay pending and keep the unit out of every deal for good.
    self->arm_error_handling();
  }(this, reason, fatal, reset), life_);
}

void UnitAgent::reset(const std::string& reason) {
  if (!running_) return;
  drop_grid_master();
  bool in_deal = false;
  fabric_.for_each_deal([&](const Deal& d) { in_deal = in_deal || d.involves(id_); });
  if (!in_deal) interlocks_.clear();
  note("reset: " + reason);
}

void UnitAgent::shut_down(const std::string& reason) {
  if (!running_ || shutdown_) return;
  shutdown_ = true;  // no new deals, no grid-master watch from now on
  note_market();
  spawn([](UnitAgent* self, std::string why) -> Task<void> {
    co_await self->stop_local(why);
    self->finish_shutdown(why);
  }(this, reason), life_);
}

void UnitAgent::finish_shutdown(const std::string& reason) {
  drop_grid_master();
  note("shut down: " + reason);
  shutdown_ = true;
  crash();
}

Task<void> UnitAgent::stop_local(std::string reason) {
  const auto& c = config_.policy.controller;
  const TimePoint give_up = scheduler_.now() + milliseconds(c.stop_me_timeout_ms);
  while (scheduler_.now() < give_up) {
    bool any = false;
    for (const auto& d : fabric_.deals()) {
      if (!d.involves(id_) || d.deactivated()) continue;
      any = true;
      fabric_.need_to_stop(d.deal_id, reason);
    }
    if (!any) break;
    co_await sleep_for(scheduler_, milliseconds(c.stop_me_check_period_ms), life_);
  }
  auto r = co_await controller_.execute(ControlCommand{ControlKind::kWait});
  if (r) data_ = *r;
  note("stopped locally: " + reason);
}

void UnitAgent::watch_grid_master() {
  if (!running_ || shutdown_) return;
  const TimePoint now = scheduler_.now();
  if (fabric_.grid_master(now)) {
    grid_master_missing_since_ = TimePoint{};
    return;
  }
  if (grid_master_) {  // our lease lapsed while we thought we held it: step down
    drop_grid_master();
    return;
  }
  if (grid_master_missing_since_ == TimePoint{}) {
    grid_master_missing_since_ = now;
    return;
  }
  if (now - grid_master_missing_since_ < milliseconds(config_.policy.grid_master.absence_ensure_wait_ms))
    return;
  // The proper unit for `fixed` is the fixed one; otherwise whoever gets the lease first (the
  // grid master then migrates itself to the voltage reference at the end of its main loop).
  const auto& g = config_.policy.grid_master;
  if (g.selection == GridMasterSelection::kFixed && g.fixed_unit_id != id_ &&
      fabric_.reachable(g.fixed_unit_id))
    return;
  take_grid_master();
}

bool UnitAgent::take_grid_master() {
  if (!running_ || shutdown_ || grid_master_) return grid_master_ != nullptr;
  const auto& g = config_.policy.grid_master;
  const auto token = fabric_.acquire_grid_master(id_, scheduler_.now(),
                                                 milliseconds(3 * g.main_loop_period_ms));
  if (!token) return false;
  grid_master_missing_since_ = TimePoint{};
  grid_master_ = std::make_shared<GridMaster>(*this, *token);
  grid_master_->start();
  note(fmt::format("grid master started with token {}", *token));
  return true;
}

void UnitAgent::drop_grid_master() {
  if (!grid_master_) return;
  grid_master_->stop();
  fabric_.release_grid_master(id_, grid_master_->token());
  note("grid master stopped");
  grid_master_.reset();  // a main loop still running keeps the object until it unwinds
}

}  // namespace wattshare
