#include "engine/grid_master.hpp"

#include <algorithm>
#include <tuple>
#include <cmath>

#include <fmt/format.h>

#include "core/random.hpp"
#include "engine/fabric.hpp"
#include "engine/unit_agent.hpp"

namespace wattshare {

GridMaster::GridMaster(UnitAgent& host, std::uint64_t token)
    : host_(host),
      fabric_(host.fabric()),
      policy_(host.config().policy),
      token_(token),
      life_(make_lifetime()) {}

void GridMaster::start() {
  const auto period = milliseconds(policy_.grid_master.main_loop_period_ms);
  // Acting from now: a grid master handed over at the end of its predecessor's loop has its
  // first loop one period later, and the deals it inherits are attended from this moment.
  last_activity_ = host_.scheduler().now();
  std::weak_ptr<GridMaster> weak = weak_from_this();
  timer_ = host_.scheduler().every(period, [weak] {
    auto self = weak.lock();
    if (!self || self->looping_ || !self->life_->alive()) return;  // one main loop at a time
    spawn([](std::shared_ptr<GridMaster> gm) -> Task<void> { co_await gm->main_loop(); }(self), self->life_);
  });
}

void GridMaster::stop() {
  if (timer_ != kNoTimer) host_.scheduler().cancel(timer_);
  timer_ = kNoTimer;
  life_->end();  // its procedures unwind now, wherever they wait
}

void GridMaster::raise_global(ErrorCategory c, ErrorLevel l, const std::string& message) {
  host_.raise({c, ErrorExtent::kGlobal, l, host_.id(), message});
}

TimePoint GridMaster::now_of(const std::string& unit) const {
  auto it = data_.find(unit);
  return it != data_.end() ? it->second.time : host_.scheduler().now();
}

bool GridMaster::refresh(const std::string& unit) {
  last_activity_ = host_.scheduler().now();
  auto r = fabric_.unit_data(unit, true, token_);
  if (!r) return false;
  data_[unit] = *r;
  return true;
}

Task<DeviceResult> GridMaster::command(const std::string& unit, ControlCommand c) {
  last_activity_ = host_.scheduler().now();
  auto r = co_await fabric_.control(unit, c, token_);
  last_activity_ = host_.scheduler().now();
  if (!life_->alive()) throw Cancelled{};  // deposed while the command ran: issue nothing more
  if (r) data_[unit] = *r;
  co_return r;
}

bool GridMaster::save(Deal& d) {
  bool was_running = false;
  fabric_.visit_deal(d.deal_id, [&](const Deal& old) { was_running = old.started() && !old.stopped(); });
  if (fabric_.update(d)) {
    if (was_running != (d.started() && !d.stopped())) running_a_built_ = false;
    return true;
  }
  raise_global(ErrorCategory::kLogic, ErrorLevel::kError,
               "deal " + d.deal_id + " changed under the grid master (compare-and-set failed)");
  return false;
}

std::optional<std::string> GridMaster::voltage_reference_unit() const {
  // The lowest id when a hand-over briefly has two: the answer must not depend on hashing.
  const std::string* vr = nullptr;
  for (const auto& [id, d] : data_)
    if (d.mode == DcdcMode::kVoltageReference && (vr == nullptr || id < *vr)) vr = &id;
  return vr ? std::optional<std::string>(*vr) : std::nullopt;
}

const std::string& GridMaster::master_unit(const Deal& d) const {
  // The side that is the voltage reference now, else the policy's side.
  for (const auto* u : {&d.charge_unit_id, &d.discharge_unit_id}) {
    auto it = data_.find(*u);
    if (it != data_.end() && it->second.mode == DcdcMode::kVoltageReference) return *u;
  }
  return d.unit_on(policy_.grid_master.voltage_reference_side);
}

const std::string& GridMaster::slave_unit(const Deal& d) const {
  return d.other_side(master_unit(d));
}

double GridMaster::other_compensated_a(const std::string& unit, const std::string& except) const {
  double sum = 0;
  fabric_.for_each_deal([&](const Deal& o) {
    if (o.deal_id == except || !o.started() || o.stopped()) return;
    if (o.charge_unit_id == unit) sum += std::abs(o.charge_unit_compensated_ig_a.value_or(0));
    if (o.discharge_unit_id == unit) sum += std::abs(o.discharge_unit_compensated_ig_a.value_or(0));
  });
  return sum;
}

double GridMaster::cc_current_a(const std::string& unit, const std::string& except) const {
  // What a CC unit carries: each of its live deals' current, from activation on its master side
  // and from warm-up on its slave side.
  double sum = 0;
  fabric_.for_each_deal([&](const Deal& o) {
    if (o.deal_id == except || !o.involves(unit) || o.stopped() || o.deactivated()) return;
    const bool on = master_unit(o) == unit ? o.activated() : o.warm_up_time.has_value();
    if (on) sum += o.deal_grid_current_a;
  });
  return sum;
}

int GridMaster::other_active_deals(const std::string& unit, const std::string& except) const {
  int n = 0;
  fabric_.for_each_deal([&](const Deal& o) {
    if (o.deal_id != except && o.involves(unit) && o.master_active() && !o.stopped()) ++n;
  });
  return n;
}

double GridMaster::running_current_a(const std::string& unit) {
  // Built once and kept until a deal starts or stops (save() clears it, and so does each loop):
  // cumulation asks for every deal, which made the loop quadratic in the number of deals.
  if (!running_a_built_) {
    running_a_.clear();
    running_a_built_ = true;
    fabric_.for_each_deal([&](const Deal& o) {
      if (!o.started() || o.stopped()) return;
      running_a_[o.charge_unit_id] += o.deal_grid_current_a;
      running_a_[o.discharge_unit_id] += o.deal_grid_current_a;
    });
  }
  auto it = running_a_.find(unit);
  return it == running_a_.end() ? 0.0 : it->second;
}

bool GridMaster::large_capacity(const std::string& unit) const {
  const auto& l = policy_.large_capacity_unit_ids;
  return std::find(l.begin(), l.end(), unit) != l.end();
}

bool GridMaster::transitional_deal(const std::string& except) const {
  bool any = false;
  fabric_.for_each_deal([&](const Deal& o) {
    if (o.deal_id == except) return;
    if ((o.activated() && !o.started()) || (o.stopped() && !o.deactivated())) any = true;
  });
  return any;
}

GridMaster::MasterPlan GridMaster::plan_master(const Deal& d, bool first) {
  MasterPlan plan{master_unit(d), std::nullopt};  // the side already VR, else the policy side
  if (policy_.large_capacity_unit_ids.empty()) return plan;
  const std::string& other = d.other_side(plan.master);
  if (first) {
    // The first deal puts the reference on its large-capacity side.
    if (large_capacity(other) && !large_capacity(plan.master) && !transitional_deal(d.deal_id))
      plan.master = other;
    return plan;
  }
  const auto vr = voltage_reference_unit();
  if (!vr || *vr == plan.master || *vr == other || large_capacity(*vr)) return plan;
  // A later deal with a large-capacity unit takes the reference over from a smaller one, when
  // that unit is free (WAIT, in no other deal) and nothing else is starting or stopping.
  const std::string sides[] = {plan.master, other};
  for (const std::string& to : sides) {
    if (!large_capacity(to)) continue;
    if (other_active_deals(to, d.deal_id) > 0 || transitional_deal(d.deal_id) || !refresh(to) ||
        data_[to].mode != DcdcMode::kWait)
      break;
    plan.master = to;
    plan.move_from = *vr;
    break;
  }
  return plan;
}

bool GridMaster::fail_point(Deal& d, FailPoint p) {
  if (!d.fails_at(p)) return false;
  host_.note(fmt::format("deal {}: test feature {}", d.deal_id, fail_point_name(p)));
  return true;
}

namespace {
// Java's Float.toString for the numbers APIS puts in its messages: "2.0", "2.5".
std::string java_float(double v) {
  std::string s = fmt::format("{}", static_cast<float>(v));
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

std::string test_feature_failure(FailPoint p) {
  // AbstractDealExecution.testFeature_failIfNeed_'s message, which DealExecution passes to
  // DealAbortion as the abort reason.
  return fmt::format("TEST FEATURE : dcdc / {}", fail_point_name(p));
}
}  // namespace

Task<bool> GridMaster::failed_at(Deal& d, FailPoint p) {
  if (!fail_point(d, p)) co_return false;
  co_await abort(d, test_feature_failure(p));
  co_return true;
}

void GridMaster::abortion_failed(Deal d) {
  // DealExecution.doLoop_: a DealAbortion that fails reports "deal abortion failed", a
  // HARDWARE:LOCAL:ERROR, on both units, and leaves the deal in the table for the next loop. The
  // count in the deal tells each unit to raise it (UnitAgent::report_failed_abortions), so both
  // stop their converters as their own error handling does.
  host_.note(fmt::format("deal {}: deal abortion failed", d.deal_id));
  if (auto latest = fabric_.deal(d.deal_id)) {
    d = *latest;
    ++d.abortion_failures;
    save(d);
  }
}

bool GridMaster::renew() {
  // Three periods: a loop that waits (scram delay, checkpoints) still renews in time.
  return fabric_.renew_grid_master(host_.id(), token_, host_.scheduler().now(),
                                   milliseconds(3 * policy_.grid_master.main_loop_period_ms));
}

Task<void> GridMaster::main_loop() {
  looping_ = true;
  struct Done {
    GridMaster& gm;
    ~Done() { gm.looping_ = false; }
  } done{*this};
  const auto& g = policy_.grid_master;
  if (!renew()) {
    host_.note("grid-master lease lost: stepping down");
    stop();
    co_return;
  }
  ++loops_;
  global_error_ = false;
  co_await handle_global_errors();

  deals_ = fabric_.deals();
  running_a_built_ = false;
  if (deals_.empty()) {
    // Nothing to drive: check membership without collecting every unit's data, and stay put.
    data_.clear();
    data_refusals_.clear();
    const std::size_t reachable = fabric_.reachable_members();
    if (reachable != fabric_.members().size())
      raise_global(ErrorCategory::kHardware, ErrorLevel::kWarn,
                   fmt::format("{} of {} members answered", reachable, fabric_.members().size()));
    active_before_.clear();
    co_await handle_global_errors();
    if (renew()) last_loop_end_ = last_activity_ = host_.scheduler().now();
    co_return;
  }
  // Fresh data for the units in deals, the acquisitions' cache for the others. (Entries are
  // overwritten rather than cleared: the member set is fixed, so the map never reallocates.)
  dealing_.clear();
  for (const auto& d : deals_) {
    dealing_.insert(d.charge_unit_id);
    dealing_.insert(d.discharge_unit_id);
  }
  for (const auto& id : fabric_.members()) {
    const bool fresh = dealing_.contains(id);
    auto r = fabric_.unit_data(id, fresh, token_);
    // A cached view of a converter that is not waiting may be stale (a hand-over just ended).
    if (r && !fresh && r->mode != DcdcMode::kWait) r = fabric_.unit_data(id, true, token_);
    if (r) {
      data_[id] = *r;
      data_refusals_.erase(id);
    } else {
      data_.erase(id);
      if (fresh && fabric_.reachable(id)) {
        auto& refused = data_refusals_[id];
        ++refused.loops;
        refused.why = r.error().message;
      }
    }
  }
  const OperationMode mode = fabric_.global_mode();
  if (!deals_.empty() && (mode == OperationMode::kStop || mode == OperationMode::kManual)) {
    raise_global(ErrorCategory::kLogic, ErrorLevel::kError,
                 fmt::format("{} deal(s) exist while the global mode is {}", deals_.size(),
                             to_string(mode)));
    co_await handle_global_errors();
  }

  // DealExecution.checkMasterDealExistence_: deals whose voltage-reference side must be active
  // (activated, not deactivated) need a master deal; none is a logic error, and this loop stops.
  const bool needs_master = std::any_of(deals_.begin(), deals_.end(), [](const Deal& d) { return d.activated() && !d.deactivated(); });
  if (needs_master && std::none_of(deals_.begin(), deals_.end(), [](const Deal& d) { return d.is_master; })) {
    raise_global(ErrorCategory::kLogic, ErrorLevel::kError, "no master deal found");
    co_await handle_global_errors();
  }

  // Order (reference §4.5, APIS's successive stable sorts as one key): stop requests first; the
  // master deal first while it ramps up, else last; then deals whose voltage-reference side is
  // a large-capacity unit, then those whose other side is; the rest by creation.
  struct Entry {
    int rank;
    bool vr_small, other_small;
    std::string deal_id;
  };
  std::vector<Entry> order;
  for (const auto& d : deals_) {
    bool stop_requested = !d.need_to_stop_reasons.empty();
    fabric_.visit_deal(d.deal_id,
                       [&](const Deal& now) { stop_requested = !now.need_to_stop_reasons.empty(); });
    int rank = 2;
    if (d.is_master) rank = d.started() ? 3 : 1;
    if (stop_requested) rank = 0;
    const std::string& vr_side = master_unit(d);
    order.push_back({rank, !large_capacity(vr_side), !large_capacity(d.other_side(vr_side)), d.deal_id});
  }
  std::stable_sort(order.begin(), order.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.rank, a.vr_small, a.other_small) < std::tie(b.rank, b.vr_small, b.other_small);
  });
  std::vector<std::string> active_now;
  // Beyond APIS: new deals are activated only in the first half of the period. Every activation
  // takes checkpoints (tenths of a second each); with hundreds of units an unbounded loop would
  // leave the running deals unattended for longer than their converters' grid-master watchdog.
  // What is not activated now waits for the next loop.
  const TimePoint loop_start = host_.scheduler().now();
  const Duration activation_budget = milliseconds(g.main_loop_period_ms / 2);
  for (const Entry& e : order) {
    // DealExecution_.doLoop_ checks ErrorCollection.hasErrors() before each deal: an error raised
    // while one deal was processed is handled before any other deal is driven.
    if (!global_error_ && fabric_.has_global_errors()) co_await handle_global_errors();
    if (global_error_ || !life_->alive() || fabric_.global_errors_held(host_.scheduler().now())) break;
    auto d = fabric_.deal(e.deal_id);
    if (!d) continue;
    if (d->state() == DealState::kNew &&
        host_.scheduler().now() - loop_start > activation_budget) {
      ++activations_deferred_;
      continue;
    }
    co_await process(*d);
  }
  fabric_.for_each_deal([&](const Deal& d) {
    if (d.started() && !d.stopped()) active_now.push_back(d.deal_id);
  });
  if (g.grid_voltage_optimization_enabled && active_now != active_before_ && !active_now.empty())
    co_await optimize_grid_voltage();
  active_before_ = active_now;

  global_safety();
  co_await handle_global_errors();
  if (!renew()) {
    host_.note("grid-master lease lost: stepping down");
    stop();
    co_return;
  }
  last_loop_end_ = last_activity_ = host_.scheduler().now();
  ensure();
}

Task<void> GridMaster::handle_global_errors() {
  auto errors = fabric_.take_global_errors();
  if (errors.empty()) co_return;
  global_error_ = true;
  bool fatal = false, hardware = false, reset = false;
  // Handling matrix (ErrorHandling, reference §5), GLOBAL rows: every row scrams; an ERROR then
  // by category: HARDWARE sets the global mode to stop (BudoStop), FRAMEWORK and LOGIC reset
  // every unit, USER nothing more; a FATAL (or UNKNOWN) of any category shuts every unit down,
  // without BudoStop (GlobalAnyFatalsHandling).
  for (const auto& e : errors) {
    const bool error_level = e.level == ErrorLevel::kError;
    fatal = fatal || e.level == ErrorLevel::kFatal || e.level == ErrorLevel::kUnknown;
    hardware = hardware || (error_level && e.category == ErrorCategory::kHardware);
    reset = reset || (error_level && (e.category == ErrorCategory::kFramework || e.category == ErrorCategory::kLogic));
  }
  // The scram reason as AbstractErrorsHandling.logMessages_ makes it: the errors' log lines,
  // each once, JSON-encoded ("(CATEGORY:EXTENT:LEVEL:unit) message").
  Json lines = Json::array();
  for (const auto& e : errors) {
    std::string line = format_apis_error(e);
    if (std::find(lines.begin(), lines.end(), line) == lines.end()) lines.push_back(std::move(line));
  }
  const std::string why = dump_json(lines);
  co_await scram(why);
  fabric_.hold_after_global_errors(host_.scheduler().now() + milliseconds(policy_.grid_master.error_sustaining_ms));
  if (hardware) fabric_.set_global_mode(OperationMode::kStop);  // BudoStop
  // Both end this grid master (it resigns with its host): the loop stops at the next check.
  if (fatal) {
    fabric_.shutdown_all(why);
  } else if (reset) {
    fabric_.reset_all(why);
  }
}

Task<void> GridMaster::scram(const std::string& reason) {
  // As APIS's error action Scram: every member, not only those in deals (a converter left
  // running outside the deal table is stopped too), current-controlled ones first, the voltage
  // references after scramVoltageReferenceDelayMsec, then every deal is scrammed.
  host_.note("scram: " + reason);
  std::vector<std::string> references;
  for (const auto& u : fabric_.members()) {
    if (refresh(u) && data_[u].mode == DcdcMode::kVoltageReference) {
      references.push_back(u);
      continue;
    }
    (void)co_await command(u, ControlCommand{ControlKind::kScram});
  }
  co_await sleep_for(host_.scheduler(), milliseconds(policy_.controller.scram_voltage_reference_delay_ms), life_);
  for (const auto& u : references) (void)co_await command(u, ControlCommand{ControlKind::kScram});
  for (auto d : fabric_.deals()) {
    const TimePoint t = now_of(d.charge_unit_id);
    d.scram = TimedReason{t, reason};
    if (d.started() && !d.stopped()) d.stop_time = t;  // DealUtil.scram: "--" if never started
    if (d.activated() && !d.deactivated()) d.deactivate_time = t;
    d.is_master = false;
    dispose(d);
  }
}

Task<void> GridMaster::process(Deal d) {
  for (auto& reason : fabric_.take_need_to_stop(d.deal_id))
    d.need_to_stop_reasons.push_back(reason);
  // A participant that stopped answering ends the deal (its own driver puts it to WAIT), and so
  // does one that answers but keeps refusing its data (it would hold the deal for ever).
  for (const auto* u : {&d.charge_unit_id, &d.discharge_unit_id}) {
    if (d.deactivated() || !d.abort.empty() || !d.need_to_stop_reasons.empty()) break;
    if (!fabric_.reachable(*u)) {
      d.need_to_stop_reasons.push_back(*u + " is unreachable");
    } else if (auto it = data_refusals_.find(*u); it != data_refusals_.end() && it->second.loops >= kDataRefusalLimit) {
      d.need_to_stop_reasons.push_back(
          fmt::format("{} refused its data {} grid-master loops in a row ({})", *u, it->second.loops, it->second.why));
    }
  }
  if (!d.need_to_stop_reasons.empty() && !d.deactivated() && d.abort.empty()) {
    // DealExecution: DealAbortion's reason is the deal's needToStopReasons, JSON-encoded.
    std::string why = dump_json(Json(d.need_to_stop_reasons));
    co_await abort(d, std::move(why));
    co_return;
  }
  switch (d.state()) {
    case DealState::kDeactivated:
      dispose(d);
      co_return;
    case DealState::kStopped:
      co_await deactivate(d);
      co_return;
    case DealState::kStarted:
      co_await cumulate(d);
      co_return;
    case DealState::kNew:
      co_await activate(d);
      co_return;
    case DealState::kActivated:
      if (d.is_master)
        co_await ramp_up(d);
      else
        co_await compensate(d);
      co_return;
    case DealState::kRampedUp:
    case DealState::kWarmedUp:
      co_await compensate(d);
      co_return;
  }
}

double GridMaster::expected_vr_ig_a(const std::string& vr, const Deal* joining) const {
  double others = 0;
  fabric_.for_each_deal([&](const Deal& o) {
    if (o.stopped() || o.deactivated()) return;
    const bool is_joining = joining != nullptr && o.deal_id == joining->deal_id;
    const std::string& master = master_unit(o);
    for (const auto* u : {&o.charge_unit_id, &o.discharge_unit_id}) {
      if (*u == vr) continue;
      const bool on = master == *u ? o.activated() || is_joining
                                   : o.warm_up_time.has_value() || is_joining;
      if (on) others += *u == o.charge_unit_id ? o.deal_grid_current_a : -o.deal_grid_current_a;
    }
  });
  return -others;
}

Task<void> GridMaster::activate(Deal d) {
  const auto& g = policy_.grid_master;
  if (co_await failed_at(d, FailPoint::kBeforeActivate)) co_return;
  // DealActivation.validateDeal_ (checkNumberOfResets_, checkDealDirection_, checkCurrentCapacity_):
  // the deal is aborted with APIS's message, word for word.
  if (static_cast<int>(d.reset.size()) >= g.reset_limit) {
    std::string why = fmt::format("deal reset limit exceeded : {}", g.reset_limit);
    raise_global(ErrorCategory::kLogic, ErrorLevel::kWarn, why);
    co_await abort(d, std::move(why));
    co_return;
  }
  // Direction consistency and current capacity against the other active deals.
  double sum_a = d.deal_grid_current_a;
  bool first = true;
  bool some_started = false;
  for (const auto& o : fabric_.deals()) {
    if (o.deal_id == d.deal_id || !o.master_active()) continue;
    first = false;
    some_started = some_started || (o.started() && !o.deactivated());
    sum_a += o.deal_grid_current_a;
    std::string why;
    if (o.charge_unit_id == d.discharge_unit_id)
      why = "other charge side deal found on discharge unit : " + d.discharge_unit_id;
    else if (o.discharge_unit_id == d.charge_unit_id)
      why = "other discharge side deal found on charge unit : " + d.charge_unit_id;
    if (!why.empty()) {
      why += " ; other deal : " + dump_json(deal_json(o, host_.utc_offset()));
      co_await abort(d, std::move(why));
      co_return;
    }
  }
  if (!policy_.safety.topology_enabled) {
    if (sum_a > policy_.safety.sum_of_deal_grid_current_max_a + 1e-9) {
      std::string why = fmt::format("sum of dealGridCurrentA of all deals : {} ; exceeds limit : {}", java_float(sum_a),
                                    java_float(policy_.safety.sum_of_deal_grid_current_max_a));
      co_await abort(d, std::move(why));
      co_return;
    }
  } else {
    for (const auto& b : policy_.safety.branches) {
      double fwd_out = 0, fwd_in = 0, back_out = 0, back_in = 0;
      auto in = [](const std::vector<std::string>& l, const std::string& u) {
        return std::find(l.begin(), l.end(), u) != l.end();
      };
      fabric_.for_each_deal([&](const Deal& o) {
        if (o.deal_id != d.deal_id && !o.master_active()) return;
        if (in(b.forward_unit_ids, o.discharge_unit_id)) fwd_out += o.deal_grid_current_a;
        if (in(b.forward_unit_ids, o.charge_unit_id)) fwd_in += o.deal_grid_current_a;
        if (in(b.backward_unit_ids, o.discharge_unit_id)) back_out += o.deal_grid_current_a;
        if (in(b.backward_unit_ids, o.charge_unit_id)) back_in += o.deal_grid_current_a;
      });
      // GridBranchCurrentCapacity.checkNewDeal_topologyBased_: the first sum over capacity, in
      // APIS's order, named as APIS names it.
      const std::pair<const char*, double> sums[] = {{"forward sum of discharge", fwd_out},
                                                     {"forward sum of charge", fwd_in},
                                                     {"backward sum of discharge", back_out},
                                                     {"backward sum of charge", back_in}};
      for (const auto& [name, sum] : sums) {
        if (sum <= b.current_capacity_a + 1e-9) continue;
        std::string why = fmt::format("branch : {}, {} dealGridCurrentA : {}, exceeds capacity : {}", b.id, name,
                                      java_float(sum), java_float(b.current_capacity_a));
        co_await abort(d, std::move(why));
        co_return;
      }
    }
  }
  const MasterPlan plan = plan_master(d, first);
  const std::string& master = plan.master;
  const double sign = master == d.charge_unit_id ? 1.0 : -1.0;
  if (!refresh(master)) co_return;
  const UnitData& m = data_[master];
  if (plan.master != master_unit(d) && !plan.move_from)
    host_.note(fmt::format("deal {}: the voltage reference goes to large-capacity unit {}", d.deal_id, master));
  if (plan.move_from) {
    if (!some_started) co_return;  // the first deal is still ramping up
    if (!(co_await move_voltage_reference(*plan.move_from, master))) {
      raise_global(ErrorCategory::kHardware, ErrorLevel::kError,
                   "voltage reference move from " + *plan.move_from + " to large-capacity unit " +
                       master + " failed");
      co_return;
    }
    refresh(master);
    d.vr_ig_offset_a = data_[master].meter.ig_a - expected_vr_ig_a(master, nullptr);
    d.compensation_target_vr_ig_a = data_[master].meter.ig_a + sign * d.deal_grid_current_a;
    // The deal holding the reference is the master deal (reference §4.6).
    std::vector<std::string> demoted;
    fabric_.for_each_deal([&](const Deal& o) {
      if (o.is_master && o.deal_id != d.deal_id) demoted.push_back(o.deal_id);
    });
    for (const auto& id : demoted) {
      if (auto old = fabric_.deal(id)) {
        old->is_master = false;
        save(*old);
      }
    }
    d.is_master = true;
  } else if (first) {
    const double limit =
        policy_.operation_grid_voltage_min_v + 2 * policy_.grid_voltage_separation_v;
    if (m.meter.vg_v > limit) {
      raise_global(ErrorCategory::kHardware, ErrorLevel::kError,
                   fmt::format("grid already at {:.1f} V before the first deal (limit {} V): "
                               "another voltage source",
                               m.meter.vg_v, limit));
      co_return;
    }
    const double uvlo_lo = policy_.operation_grid_voltage_min_v - policy_.grid_uvlo_mask_v;
    const double uvlo_hi = policy_.operation_grid_voltage_min_v + policy_.grid_uvlo_mask_v;
    if (m.meter.vg_v >= uvlo_lo && m.meter.vg_v <= uvlo_hi) co_return;  // wait out the UVLO band
    auto r = co_await command(master, ControlCommand{ControlKind::kVoltageReference});
    if (!r) {
      std::string why = "voltage reference start failed: " + r.error().message;
      co_await abort(d, std::move(why));
      co_return;
    }
    d.compensation_target_vr_ig_a = sign * d.deal_grid_current_a;
    d.is_master = true;
  } else {
    if (!some_started) co_return;  // the first deal is still ramping up
    const auto vr = voltage_reference_unit();
    if (vr && refresh(*vr)) d.vr_ig_offset_a = data_[*vr].meter.ig_a - expected_vr_ig_a(*vr, nullptr);
    if (vr && *vr == master) {
      d.compensation_target_vr_ig_a = m.meter.ig_a + sign * d.deal_grid_current_a;
    } else {
      // The master side joins as a CC unit; the voltage reference stays where it is.
      d.compensation_target_vr_ig_a = vr ? data_[*vr].meter.ig_a : 0.0;
      ControlCommand c{master == d.charge_unit_id ? ControlKind::kCharge : ControlKind::kDischarge,
                       d.deal_grid_current_a};
      if (m.mode != DcdcMode::kWait)
        c = ControlCommand{ControlKind::kCurrent,
                           cc_current_a(master, d.deal_id) + d.deal_grid_current_a};
      auto r = co_await command(master, c);
      if (!r) {
        std::string why = "master side start failed: " + r.error().message;
        co_await abort(d, std::move(why));
        co_return;
      }
    }
  }
  d.activate_time = now_of(master);
  // A moved reference holds the bus already: no ramp-up or authorization again.
  if (plan.move_from) d.ramp_up_time = d.activate_time;
  if (!save(d)) co_return;
  if (co_await failed_at(d, FailPoint::kAfterActivate)) co_return;
  // A joining deal's master side draws on the voltage reference until its slave side starts:
  // finish the start in the same step, as the master deal goes on to its ramp-up, so the
  // reference never carries more than one deal's current however many deals start in a loop.
  if (d.is_master && !plan.move_from) {
    co_await ramp_up(d);
  } else if (life_->alive() && !global_error_) {
    co_await compensate(d);
  }
}

Task<void> GridMaster::ramp_up(Deal d) {
  const std::string master = master_unit(d);
  if (!refresh(master)) co_return;
  const UnitData& m = data_[master];
  if (m.mode != DcdcMode::kVoltageReference) {
    std::string why = master + " is not the voltage reference while ramping up";
    co_await abort(d, std::move(why));
    co_return;
  }
  if (m.meter.vg_v >= m.dvg_v - policy_.grid_voltage_allowance_v) {
    d.ramp_up_time = m.time;
    if (!save(d)) co_return;
    co_return co_await authorize(d);
  }
  if (m.time - *d.activate_time > milliseconds(policy_.controller.first_ramp_up_timeout_ms)) {
    raise_global(ErrorCategory::kHardware, ErrorLevel::kError,
                 fmt::format("voltage ramp-up of {} timed out at {:.1f} V", master, m.meter.vg_v));
  }
}

void GridMaster::reset(Deal d, const std::string& reason) {
  d.reset.push_back(TimedReason{now_of(d.charge_unit_id), reason});
  d.activate_time.reset();
  d.ramp_up_time.reset();
  d.warm_up_time.reset();
  d.compensation_target_vr_ig_a.reset();
  d.is_master = false;
  save(d);
}

Task<void> GridMaster::authorize(Deal d) {
  // DealMasterAuthorization: when the authorization fails (a test feature failBeforeAuthorize or
  // failAfterAuthorize included), the master side goes to WAIT and the deal is reset with
  // "<master> : <cause>", to be activated again by a later loop; the test feature stays set, so
  // such a deal keeps being reset, as APIS's test tools expect.
  const std::string master = master_unit(d);
  auto test_feature = [&](FailPoint p) -> std::optional<std::string> {
    if (!fail_point(d, p)) return std::nullopt;
    return test_feature_failure(p);
  };
  std::optional<std::string> failure = test_feature(FailPoint::kBeforeAuthorize);
  if (!failure) {
    // Step the reference to random voltages and back: another source on the bus would hold it.
    std::vector<double> steps;
    const double sep = policy_.grid_voltage_separation_v;
    const double original = data_[master].dvg_v;
    for (double v = policy_.operation_grid_voltage_min_v + 3 * sep;
         v <= policy_.operation_grid_voltage_max_v - sep + 1e-9; v += sep)
      if (std::abs(v - original) > 1e-9) steps.push_back(v);
    for (int trial = 0; trial < policy_.controller.authorization_trials && !steps.empty() && !failure; ++trial) {
      const std::uint64_t h = hash_key(std::hash<std::string>{}(d.deal_id), 0xa07, trial, d.reset.size());
      const double v = steps[static_cast<std::size_t>(uniform01(h) * steps.size())];
      auto r = co_await command(master, ControlCommand{ControlKind::kVoltage, 0, v});
      if (!r) failure = fmt::format("voltage reference authorization failed at {} V: {}", v, r.error().message);
    }
    if (!failure) {
      auto back = co_await command(master, ControlCommand{ControlKind::kAuthorized, 0, original});
      if (!back) failure = "voltage reference authorization failed returning: " + back.error().message;
    }
    if (!failure) failure = test_feature(FailPoint::kAfterAuthorize);
  }
  if (failure) {
    (void)co_await command(master, ControlCommand{ControlKind::kWait});
    reset(d, master + " : " + *failure);
    co_return;
  }
  co_await compensate(d);
}

Task<void> GridMaster::compensate(Deal d) {
  const auto& g = policy_.grid_master;
  const std::string master = master_unit(d);
  const std::string slave = slave_unit(d);
  if (!refresh(master) || !refresh(slave)) co_return;
  if (data_[master].mode == DcdcMode::kWait) co_return;  // master side not up yet
  if (!d.warm_up_time) {
    if (co_await failed_at(d, FailPoint::kBeforeWarmUp)) co_return;
    ControlCommand c{slave == d.charge_unit_id ? ControlKind::kCharge : ControlKind::kDischarge,
                     d.deal_grid_current_a};
    if (data_[slave].mode != DcdcMode::kWait)
      c = ControlCommand{ControlKind::kCurrent,
                         cc_current_a(slave, d.deal_id) + d.deal_grid_current_a};
    auto r = co_await command(slave, c);
    if (!r) {
      std::string why = "warm-up of " + slave + " failed: " + r.error().message;
      co_await abort(d, std::move(why));
      co_return;
    }
    d.warm_up_time = now_of(slave);
    if (!save(d)) co_return;
    if (co_await failed_at(d, FailPoint::kAfterWarmUp)) co_return;
  }
  if (co_await failed_at(d, FailPoint::kBeforeCompensate)) co_return;
  // Current compensation: trim the adjuster until the voltage reference's ig is on target.
  const auto vr = voltage_reference_unit();
  const std::string& reference = d.unit_on(g.reference_side);
  std::optional<std::string> adjuster;
  if (vr && *vr == master) {
    if (reference == master) adjuster = slave;
  } else if (vr) {
    adjuster = d.other_side(reference);
  }
  if (adjuster && vr) {
    // The reference absorbs what every CC converter on the bus leaves over, so its expected ig
    // is minus the sum of their expected currents, from the deal table. (APIS fixes the target
    // at activation; it then goes stale when other deals start or stop in between.)
    // Plus what the reference carried before this deal beyond the table (bus leakage, the
    // residual errors of running deals), measured at activation: this deal corrects only itself.
    const double target = expected_vr_ig_a(*vr, &d) + d.vr_ig_offset_a;
    d.compensation_target_vr_ig_a = target;
    // As DealCompensation.CurrentCompensationExecutor_: measure; on target, done; otherwise
    // adjust and measure again while trials remain. limitOfTrials 0 measures once and adjusts
    // never; a negative value is APIS's test feature: |n| adjustments, then a failure.
    bool ok = false;
    int adjustments_left = std::abs(g.compensation_limit_of_trials);
    const bool made_to_fail = g.compensation_limit_of_trials < 0;
    for (;;) {
      if (!refresh(*vr) || !refresh(*adjuster)) co_return;
      const double error = data_[*vr].meter.ig_a - target;
      if (std::abs(error) <= g.compensation_drift_allowance_a && !made_to_fail) {
        ok = true;
        break;
      }
      if (adjustments_left-- <= 0) break;
      const UnitData& a = data_[*adjuster];
      // More discharge current raises the reference's ig; more charge current lowers it.
      const double dig = a.param.dig_a + (a.mode == DcdcMode::kDischarge ? -error : error);
      auto r = co_await command(
          *adjuster,
          ControlCommand{ControlKind::kCurrent,
                         std::clamp(dig, 0.0, host_.config().hw.grid_current_capacity_a)});
      if (!r) break;
    }
    if (!ok) {
      raise_global(ErrorCategory::kHardware, ErrorLevel::kWarn,
                   "current compensation failed");
      std::string why = "current compensation failed";
      co_await abort(d, std::move(why));
      co_return;
    }
  }
  if (!refresh(d.charge_unit_id) || !refresh(d.discharge_unit_id)) co_return;
  d.discharge_unit_compensated_ig_a =
      data_[d.discharge_unit_id].meter.ig_a + other_compensated_a(d.discharge_unit_id, d.deal_id);
  d.charge_unit_compensated_ig_a =
      data_[d.charge_unit_id].meter.ig_a - other_compensated_a(d.charge_unit_id, d.deal_id);
  d.start_time = now_of(d.charge_unit_id);
  d.cumulate_time = d.start_time;
  d.cumulate_meter_wh = data_[reference].wb_energy_wh;
  d.cumulate_amount_wh = 0;
  if (!save(d)) co_return;
  if (co_await failed_at(d, FailPoint::kAfterCompensate)) co_return;
}

Task<void> GridMaster::cumulate(Deal d) {
  const auto& g = policy_.grid_master;
  if (!refresh(d.charge_unit_id) || !refresh(d.discharge_unit_id)) co_return;
  const UnitData& c = data_[d.charge_unit_id];
  const UnitData& x = data_[d.discharge_unit_id];
  if (c.mode == DcdcMode::kWait || x.mode == DcdcMode::kWait) {
    std::string why =
        fmt::format("{} is in WAIT during the deal",
                    c.mode == DcdcMode::kWait ? d.charge_unit_id : d.discharge_unit_id);
    co_await abort(d, std::move(why));
    co_return;
  }
  // Energy at the reference side's battery, apportioned among that unit's running deals.
  const bool charge_ref = g.reference_side == DealSide::kChargeUnit;
  const std::string& ref = d.unit_on(g.reference_side);
  const UnitData& r = charge_ref ? c : x;
  // Energy since the last cumulation: from the battery's energy meter when the converter has one
  // (exact however the power moved in between), else APIS's power sample × interval.
  const Duration dt = r.time - d.cumulate_time.value_or(r.time);
  double e_wh = (charge_ref ? r.meter.wb_w : -r.meter.wb_w) * to_seconds(dt) / 3600.0;
  if (r.wb_energy_wh && d.cumulate_meter_wh)
    e_wh = (charge_ref ? 1 : -1) * (*r.wb_energy_wh - *d.cumulate_meter_wh);
  // Share by the deal currents of that unit's running deals (APIS uses the compensated currents,
  // which can be stale when deals start or stop in the same loop and then over-credit).
  const double running_a = running_current_a(ref);
  if (running_a > d.deal_grid_current_a) e_wh *= d.deal_grid_current_a / running_a;
  if (dt > Duration::zero()) d.cumulate_amount_wh += std::max(0.0, e_wh);
  d.cumulate_time = r.time;
  d.cumulate_meter_wh = r.wb_energy_wh;
  const bool done = d.cumulate_amount_wh >= static_cast<double>(d.deal_amount_wh);
  const bool low = x.rsoc_pct < g.discharge_unit_lower_limit_rsoc;
  const bool high = c.rsoc_pct > g.charge_unit_upper_limit_rsoc;
  if (!save(d)) co_return;
  if (low || high) {
    // DealCumulation's abort reasons, word for word: operators grep their logs for them.
    std::string why = low ? d.discharge_unit_id + " : dischargeUnitLowerLimitRsoc"
                          : d.charge_unit_id + " : chargeUnitUpperLimitRsoc";
    co_await abort(d, std::move(why));
    co_return;
  }
  if (!done) co_return;
  if (co_await failed_at(d, FailPoint::kBeforeStop)) co_return;
  co_await stop_slave(d);
  // stopDcdc_ then stopDeal_: a failure after the device step leaves the deal not stopped.
  if (co_await failed_at(d, FailPoint::kAfterStop)) co_return;
  if (!d.stop_time) d.stop_time = now_of(d.charge_unit_id);
  if (!save(d)) co_return;
  co_await deactivate(d);
}

Task<void> GridMaster::stop_slave(Deal& d) {
  if (!d.warm_up_time) co_return;
  const std::string slave = slave_unit(d);
  if (!refresh(slave)) co_return;
  if (data_[slave].mode == DcdcMode::kVoltageReference) co_return;  // the VR stops at deactivation
  if (cc_current_a(slave, d.deal_id) > 0) {
    (void)co_await command(slave,
                           ControlCommand{ControlKind::kCurrent, cc_current_a(slave, d.deal_id)});
  } else if (data_[slave].mode != DcdcMode::kWait) {
    (void)co_await command(slave, ControlCommand{ControlKind::kWait});
  }
}

Task<bool> GridMaster::move_voltage_reference(const std::string& from, const std::string& to) {
  // The 4-step hand-over with droop (reference §4.7).
  if (!refresh(from) || !refresh(to)) co_return false;
  const double dvg =
      policy_.grid_master.take_over_dvg_actual ? data_[to].meter.vg_v : data_[from].dvg_v;
  const double from_ig = data_[from].meter.ig_a;
  if (!(co_await command(from, ControlCommand{ControlKind::kWillHandOver}))) co_return false;
  if (!(co_await command(to, ControlCommand{ControlKind::kWillTakeOver, 0, dvg}))) co_return false;
  ControlCommand handed{ControlKind::kDidHandOver};
  if (other_active_deals(from, "") > 0) {
    handed.then = from_ig >= 0 ? DealDirection::kCharge : DealDirection::kDischarge;
    handed.grid_current_a = std::abs(from_ig);
  }
  if (!(co_await command(from, handed))) co_return false;
  if (!(co_await command(to, ControlCommand{ControlKind::kDidTakeOver}))) co_return false;
  host_.note(fmt::format("voltage reference moved from {} to {} at {:.1f} V", from, to, dvg));
  co_return true;
}

Task<void> GridMaster::deactivate(Deal d, bool aborting) {
  // DealDeactivation.doExecute: with the master side in WAIT there is no device step, and no
  // test point either; a failure on an abort's deactivation fails the abortion.
  const std::string master = master_unit(d);
  const bool device_step = d.activated() && refresh(master) && data_[master].mode != DcdcMode::kWait;
  auto failed = [&](FailPoint p) -> Task<bool> {
    if (!device_step || !fail_point(d, p)) co_return false;
    if (aborting) abortion_failed(d);
    else co_await abort(d, test_feature_failure(p));
    co_return true;
  };
  if (co_await failed(FailPoint::kBeforeDeactivate)) co_return;
  if (d.activated()) {
    struct Candidate {
      std::string deal_id, master;
      TimePoint activated;
      std::string large;  // its large-capacity unit, master side first; empty if none
    };
    std::vector<Candidate> others;
    fabric_.for_each_deal([&](const Deal& o) {
      if (o.deal_id == d.deal_id || !o.master_active()) return;
      const std::string& m = master_unit(o);
      const std::string& s = o.other_side(m);
      std::string large = large_capacity(m) ? m : large_capacity(s) ? s : std::string{};
      others.push_back({o.deal_id, m, o.activate_time.value_or(TimePoint{}), std::move(large)});
    });
    const bool is_vr = data_.count(master) && data_[master].mode == DcdcMode::kVoltageReference;
    if (d.is_master && !others.empty()) {
      // New master deal (newestDeal): the newest whose master unit is already the voltage
      // reference (no move); else the newest with a large-capacity unit, the reference going to
      // that unit (a flip when it is the CC side, unless another deal is starting or stopping);
      // else the newest.
      std::stable_sort(others.begin(), others.end(),
                       [](const auto& a, const auto& b) { return a.activated > b.activated; });
      const Candidate* next = nullptr;
      std::string next_vr;
      for (const auto& o : others)
        if (o.master == master) {
          next = &o;
          next_vr = o.master;
          break;
        }
      if (next == nullptr) {
        for (const auto& o : others)
          if (!o.large.empty() && (o.large == o.master || !transitional_deal(d.deal_id))) {
            next = &o;
            next_vr = o.large;
            break;
          }
      }
      if (next == nullptr) {
        next = &others.front();
        next_vr = next->master;
      }
      if (is_vr && next_vr != master && other_active_deals(master, d.deal_id) == 0) {
        if (!(co_await move_voltage_reference(master, next_vr))) {
          raise_global(ErrorCategory::kHardware, ErrorLevel::kError,
                       "voltage reference hand-over from " + master + " to " + next_vr + " failed");
          co_return;
        }
      }
      auto fresh_next = fabric_.deal(next->deal_id);
      if (fresh_next) {
        fresh_next->is_master = true;
        // The bus is up already: the promoted deal does not ramp up or authorize again.
        if (!fresh_next->ramp_up_time) fresh_next->ramp_up_time = fresh_next->activate_time;
        save(*fresh_next);
      }
    } else if (d.is_master || !is_vr) {
      if (other_active_deals(master, d.deal_id) > 0) {
        if (!is_vr && cc_current_a(master, d.deal_id) > 0)
          (void)co_await command(
              master, ControlCommand{ControlKind::kCurrent, cc_current_a(master, d.deal_id)});
      } else if (data_.count(master) && data_[master].mode != DcdcMode::kWait) {
        (void)co_await command(master, ControlCommand{ControlKind::kWait});
      }
    }
  }
  if (co_await failed(FailPoint::kAfterDeactivate)) co_return;
  auto latest = fabric_.deal(d.deal_id);
  if (latest) d.version = latest->version;
  d.deactivate_time = now_of(d.charge_unit_id);
  d.is_master = false;
  if (!save(d)) co_return;
  dispose(d);
}

Task<void> GridMaster::abort(Deal d, std::string reason) {
  // DealAbortion.doExecute: stop the slave side (stopDcdc_, with its test points), stop and
  // abort the deal, then deactivate it (DealDeactivation, with its test points). The deal's
  // testFeature flags stay set, so a flag on this path makes the abortion itself fail, as
  // APIS's test tools expect.
  host_.note(fmt::format("deal {} aborted: {}", d.deal_id, reason));
  if (fail_point(d, FailPoint::kBeforeStop)) {
    abortion_failed(d);
    co_return;
  }
  co_await stop_slave(d);
  if (fail_point(d, FailPoint::kAfterStop)) {
    abortion_failed(d);
    co_return;
  }
  if (d.started() && !d.stopped()) d.stop_time = now_of(d.charge_unit_id);
  d.abort.push_back(TimedReason{now_of(d.charge_unit_id), reason});
  if (auto latest = fabric_.deal(d.deal_id)) d.version = latest->version;
  if (!save(d)) co_return;
  co_await deactivate(d, true);
}

void GridMaster::dispose(Deal& d) {
  if (d.saveworthy()) fabric_.log_deal(d);
  fabric_.remove(d.deal_id);
  const std::string& first = std::min(d.charge_unit_id, d.discharge_unit_id);
  const std::string& second = std::max(d.charge_unit_id, d.discharge_unit_id);
  fabric_.release_interlock(second, d.deal_id);
  fabric_.release_interlock(first, d.deal_id);
}

void GridMaster::global_safety() {
  // Measure every active converter now, so the balance below compares one instant.
  for (auto& [id, d] : data_)
    if (d.mode != DcdcMode::kWait) refresh(id);
  const auto& members = fabric_.members();
  std::size_t answered = 0;
  for (const auto& m : members) answered += data_.count(m);
  if (answered != members.size())
    raise_global(ErrorCategory::kHardware, ErrorLevel::kWarn,
                 fmt::format("{} of {} members answered", answered, members.size()));
  // Leakage: the grid currents of every converter on the bus must sum to about zero. APIS sums
  // only the units of started deals, which misses a converter already carrying current for a
  // deal that has not started yet (after a hand-over) and raises a false leak.
  double sum = 0;
  int n = 0;
  for (const auto& [id, d] : data_) {
    if (d.mode == DcdcMode::kWait) continue;
    sum += d.meter.ig_a;
    ++n;
  }
  const double allowance = policy_.safety.sum_of_dealing_unit_grid_current_allowance_per_unit_a * n;
  if (n > 0 && std::abs(sum) > allowance) {
    raise_global(ErrorCategory::kHardware,
                 ++leakage_violations_ > 1 ? ErrorLevel::kError : ErrorLevel::kWarn,
                 fmt::format("leakage: sum of ig {:.3f} A over {} units (allowance {:.3f} A)", sum,
                             n, allowance));
  } else {
    leakage_violations_ = 0;
  }
  if (policy_.safety.topology_enabled) {
    for (const auto& b : policy_.safety.branches) {
      double i = 0;
      for (const auto& u : b.forward_unit_ids)
        if (data_.count(u)) i += data_[u].meter.ig_a;
      if (std::abs(i) > b.current_capacity_a)
        raise_global(ErrorCategory::kHardware, ErrorLevel::kError,
                     fmt::format("branch {} carries {:.2f} A (capacity {} A)", b.id, i,
                                 b.current_capacity_a));
    }
  }
}

Task<void> GridMaster::optimize_grid_voltage() {
  // GridVoltageOptimization.execute: the average of the efficient grid voltages the running
  // deals' units know; a unit without one (no efficientBatteryGridVoltageRatio) is left out,
  // not counted as 0 V.
  double sum = 0;
  int n = 0;
  fabric_.for_each_deal([&](const Deal& d) {
    if (!d.started() || d.stopped()) return;
    for (double v : {d.charge_unit_efficient_grid_voltage_v, d.discharge_unit_efficient_grid_voltage_v}) {
      if (v <= 0) continue;
      sum += v;
      ++n;
    }
  });
  if (n == 0) co_return;
  const auto vr = voltage_reference_unit();
  if (!vr) {
    raise_global(ErrorCategory::kLogic, ErrorLevel::kError, "no voltage reference unit found");
    co_return;
  }
  const auto& p = policy_;
  const double lo = std::max(p.operation_grid_voltage_min_v + p.grid_voltage_drop_allowance_v,
                             p.operation_grid_voltage_min_v + 3 * p.grid_voltage_separation_v);
  const double hi = std::min(p.operation_grid_voltage_max_v - p.grid_voltage_drop_allowance_v,
                             p.operation_grid_voltage_max_v - p.grid_voltage_separation_v);
  const double v = std::clamp(sum / n, lo, hi);
  if (std::abs(v - data_[*vr].dvg_v) < 0.5) co_return;
  (void)co_await command(*vr, ControlCommand{ControlKind::kVoltage, 0, v});
}

void GridMaster::ensure() {
  // The proper unit (reference §3.6): the voltage reference for voltageReferenceUnit; the fixed
  // unit for fixed (the voltage reference when none is named), so a grid master that took over
  // while the fixed unit was away hands the role back when it returns; none for anywhere.
  const auto& g = policy_.grid_master;
  std::optional<std::string> proper;
  if (g.selection == GridMasterSelection::kFixed && !g.fixed_unit_id.empty()) proper = g.fixed_unit_id;
  else if (g.selection != GridMasterSelection::kAnywhere) proper = voltage_reference_unit();
  if (!proper || *proper == host_.id() || !fabric_.reachable(*proper)) return;
  host_.note("grid master moves to " + *proper +
             (g.selection == GridMasterSelection::kFixed ? " (the fixed unit)" : " (the voltage reference)"));
  const std::string target = *proper;
  Fabric& fabric = fabric_;
  host_.drop_grid_master();  // releases the lease; this object lives on until the loop unwinds
  fabric.activate_grid_master(target);
}

}  // namespace wattshare
