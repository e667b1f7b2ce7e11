#include "config/policy.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "core/json_fields.hpp"

namespace wattshare {

std::string_view to_string(OperationMode m) {
  switch (m) {
    case OperationMode::kAutonomous: return "autonomous";
    case OperationMode::kHeteronomous: return "heteronomous";
    case OperationMode::kStop: return "stop";
    case OperationMode::kManual: return "manual";
  }
  return "stop";
}

tl::expected<OperationMode, Error> parse_operation_mode(std::string_view s) {
  if (s == "autonomous") return OperationMode::kAutonomous;
  if (s == "heteronomous") return OperationMode::kHeteronomous;
  if (s == "stop") return OperationMode::kStop;
  if (s == "manual") return OperationMode::kManual;
  return tl::unexpected(Error::bad_input(fmt::format(
      "unknown operation mode '{}' (expected autonomous, heteronomous, stop or manual)", s)));
}

std::string_view to_string(DealSide s) {
  return s == DealSide::kChargeUnit ? "chargeUnit" : "dischargeUnit";
}

std::string_view to_string(GridMasterSelection s) {
  switch (s) {
    case GridMasterSelection::kVoltageReferenceUnit: return "voltageReferenceUnit";
    case GridMasterSelection::kFixed: return "fixed";
    case GridMasterSelection::kAnywhere: return "anywhere";
  }
  return "voltageReferenceUnit";
}

Duration Policy::device_watchdog() const {
  return milliseconds(2 * std::max(grid_master.main_loop_period_ms, controller.data_acquisition_period_ms));
}

bool Policy::is_member(const std::string& unit_id) const {
  return std::find(member_unit_ids.begin(), member_unit_ids.end(), unit_id) !=
         member_unit_ids.end();
}

namespace {

DealSide read_side(JsonFields& f, const std::string& key) {
  const std::string v = f.string_or(key, "chargeUnit");
  if (v == "chargeUnit") return DealSide::kChargeUnit;
  if (v == "dischargeUnit") return DealSide::kDischargeUnit;
  f.fail(key, fmt::format("unknown value '{}' (expected chargeUnit or dischargeUnit)", v));
  return DealSide::kChargeUnit;
}

void require_positive(JsonFields& f, const std::string& key, double v) {
  if (v <= 0) f.fail(key, fmt::format("must be > 0, got {}", v));
}

void read_topology(JsonFields& f, Policy& p) {
  const std::string base = "safety.gridTopologyBasedEvaluation";
  p.safety.topology_enabled = f.boolean_or(base + ".enabled", false);
  // APIS's exe policy keeps placeholder entries ("" : "") when the evaluation is off: read
  // branches only when it is on, as APIS does.
  if (!p.safety.topology_enabled) return;
  const auto ids = f.string_list(base + ".branchIds");
  std::set<std::string> seen;
  for (const auto& id : ids) {
    if (!seen.insert(id).second) f.fail(base + ".branchIds", fmt::format("'{}' is listed twice", id));
    Branch b;
    b.id = id;
    const std::string assoc = base + ".branchAssociation." + id;
    // Branch ids contain no dots in APIS; look them up literally to be safe.
    const Json* assoc_obj = nullptr;
    if (const Json* all = f.find(base + ".branchAssociation"); all && all->is_object()) {
      if (auto it = all->find(id); it != all->end()) assoc_obj = &*it;
    }
    if (assoc_obj == nullptr || !assoc_obj->is_object()) {
      f.fail(assoc, "missing (expected forwardUnitIds and backwardUnitIds)");
    } else {
      JsonFields a{*assoc_obj, f.origin(), assoc + "."};
      b.forward_unit_ids = a.string_list("forwardUnitIds");
      b.backward_unit_ids = a.string_list("backwardUnitIds");
      f.absorb(a);
    }
    const Json* caps = f.find(base + ".branchCurrentCapacityA");
    const Json* cap = nullptr;
    if (caps && caps->is_object()) {
      if (auto it = caps->find(id); it != caps->end()) cap = &*it;
    }
    if (cap == nullptr || !cap->is_number()) {
      f.fail(base + ".branchCurrentCapacityA." + id,
             cap ? fmt::format("expected a number, got {}", describe_json(*cap))
                 : std::string("missing (expected a number of A)"));
    } else {
      b.current_capacity_a = cap->get<double>();
      if (b.current_capacity_a <= 0)
        f.fail(base + ".branchCurrentCapacityA." + id,
               fmt::format("must be > 0 A, got {}", b.current_capacity_a));
    }
    p.safety.branches.push_back(std::move(b));
  }
}

}  // namespace

tl::expected<Policy, Error> parse_policy(const Json& doc, const std::string& origin) {
  JsonFields f{doc, origin};
  if (!f.root_is_object()) return tl::unexpected(f.failure());
  Policy p;
  p.source_path = origin;
  p.refreshing_period_ms = f.integer_or("refreshingPeriodMsec", 5000);
  if (const std::string mode = f.string_or("operationMode", "stop"); true) {
    if (auto m = parse_operation_mode(mode)) {
      p.operation_mode = *m;
    } else {
      f.fail("operationMode", m.error().message);
    }
  }
  p.member_unit_ids = f.string_list("memberUnitIds");
  if (f.find("memberUnitIds") && p.member_unit_ids.empty())
    f.fail("memberUnitIds", "must list at least one unit");
  {
    std::set<std::string> seen;
    for (const auto& id : p.member_unit_ids)
      if (!seen.insert(id).second) f.fail("memberUnitIds", fmt::format("'{}' is listed twice", id));
  }
  p.large_capacity_unit_ids = f.string_list_or_empty("largeCapacityUnitIds");
  for (const auto& id : p.large_capacity_unit_ids)
    if (!p.is_member(id))
      f.fail("largeCapacityUnitIds", fmt::format("'{}' is not in memberUnitIds", id));

  p.operation_grid_voltage_v = f.number("operationGridVoltageV");
  p.operation_grid_voltage_min_v = f.number("operationGridVoltageVRange.min");
  p.operation_grid_voltage_max_v = f.number("operationGridVoltageVRange.max");
  if (p.operation_grid_voltage_min_v >= p.operation_grid_voltage_max_v)
    f.fail("operationGridVoltageVRange",
           fmt::format("min {} V must be below max {} V", p.operation_grid_voltage_min_v,
                       p.operation_grid_voltage_max_v));
  else if (p.operation_grid_voltage_v < p.operation_grid_voltage_min_v ||
           p.operation_grid_voltage_v > p.operation_grid_voltage_max_v)
    f.fail("operationGridVoltageV",
           fmt::format("{} V is outside operationGridVoltageVRange {}-{} V",
                       p.operation_grid_voltage_v, p.operation_grid_voltage_min_v,
                       p.operation_grid_voltage_max_v));
  p.grid_voltage_separation_v = f.number("gridVoltageSeparationV");
  p.grid_voltage_allowance_v = f.number("gridVoltageAllowanceV");
  p.grid_voltage_drop_allowance_v = f.number("gridVoltageDropAllowanceV");
  p.grid_current_step_a = f.number("gridCurrentStepA");
  p.grid_uvlo_mask_v = f.number("gridUvloMaskV");
  require_positive(f, "gridVoltageSeparationV", p.grid_voltage_separation_v);
  require_positive(f, "gridCurrentStepA", p.grid_current_step_a);

  auto& s = p.safety;
  s.sum_of_dealing_unit_grid_current_allowance_per_unit_a =
      f.number("safety.sumOfDealingUnitGridCurrentAllowancePerUnitA");
  s.sum_of_deal_grid_current_max_a = f.number("safety.sumOfDealGridCurrentMaxA");
  require_positive(f, "safety.sumOfDealGridCurrentMaxA", s.sum_of_deal_grid_current_max_a);
  read_topology(f, p);
  for (const auto& b : s.branches)
    for (const auto* list : {&b.forward_unit_ids, &b.backward_unit_ids})
      for (const auto& id : *list)
        if (!p.is_member(id))
          f.fail("safety.gridTopologyBasedEvaluation.branchAssociation." + b.id,
                 fmt::format("unit '{}' is not in memberUnitIds", id));

  p.helo_period_ms = f.integer_or("heloPeriodMsec", 5000);

  auto& c = p.controller;
  c.checkpoint_retry_limit =
      static_cast<int>(f.integer_or("controller.dcdc.checkpoint.retryLimit", 3));
  c.checkpoint_retry_wait_ms = f.integer_or("controller.dcdc.checkpoint.retryWaitMsec", 100);
  c.first_ramp_up_timeout_ms =
      f.integer_or("controller.dcdc.voltageReference.rampUp.first.timeoutMsec", 180000);
  c.authorization_trials = static_cast<int>(
      f.integer_or("controller.dcdc.voltageReference.authorization.numberOfTrials", 3));
  c.scram_voltage_reference_delay_ms =
      f.integer_or("controller.scramVoltageReferenceDelayMsec", 5000);
  c.stop_me_timeout_ms = f.integer_or("controller.stopMeTimeoutMsec", 60000);
  c.stop_me_check_period_ms = f.integer_or("controller.stopMeCheckPeriodMsec", 1000);
  c.data_acquisition_period_ms = f.integer_or("controller.dataAcquisitionPeriodMsec", 5000);
  c.request_timeout_ms = f.integer_or("controller.requestTimeoutMsec", 5000);
  c.retry_limit = static_cast<int>(f.integer_or("controller.retryLimit", 3));
  require_positive(f, "controller.dataAcquisitionPeriodMsec",
                   static_cast<double>(c.data_acquisition_period_ms));
  require_positive(f, "controller.requestTimeoutMsec", static_cast<double>(c.request_timeout_ms));

  auto& u = p.user;
  u.error_handling_period_ms = f.integer_or("user.errorHandlingPeriodMsec", 1000);
  u.error_sustaining_ms = f.integer_or("user.errorSustainingMsec", 30000);
  u.house_keeping_period_ms = f.integer_or("user.houseKeepingPeriodMsec", 60000);
  require_positive(f, "user.houseKeepingPeriodMsec", static_cast<double>(u.house_keeping_period_ms));
  require_positive(f, "user.errorHandlingPeriodMsec",
                   static_cast<double>(u.error_handling_period_ms));

  auto& m = p.mediator;
  m.deal_grid_current_a = f.number("mediator.deal.gridCurrentA");
  m.deal_amount_min_wh = f.number("mediator.deal.amountMinWh");
  m.deal_amount_max_wh = f.number("mediator.deal.amountMaxWh");
  m.deal_amount_unit_wh = f.number("mediator.deal.amountUnitWh");
  m.negotiation_timeout_ms = f.integer_or("mediator.negotiationTimeoutMsec", 2000);
  m.deal_logging_period_ms = f.integer_or("mediator.dealLoggingPeriodMsec", 5000);
  require_positive(f, "mediator.deal.gridCurrentA", m.deal_grid_current_a);
  require_positive(f, "mediator.deal.amountUnitWh", m.deal_amount_unit_wh);
  require_positive(f, "mediator.deal.amountMinWh", m.deal_amount_min_wh);
  if (m.deal_amount_min_wh > m.deal_amount_max_wh)
    f.fail("mediator.deal.amountMinWh",
           fmt::format("{} Wh is above mediator.deal.amountMaxWh {} Wh", m.deal_amount_min_wh,
                       m.deal_amount_max_wh));
  require_positive(f, "mediator.negotiationTimeoutMsec",
                   static_cast<double>(m.negotiation_timeout_ms));
  if (m.deal_grid_current_a > s.sum_of_deal_grid_current_max_a)
    f.fail("mediator.deal.gridCurrentA",
           fmt::format("{} A is above safety.sumOfDealGridCurrentMaxA {} A", m.deal_grid_current_a,
                       s.sum_of_deal_grid_current_max_a));

  auto& g = p.grid_master;
  g.voltage_reference_side = read_side(f, "gridMaster.voltageReferenceSide");
  {
    const std::string v = f.string_or("gridMaster.voltageReferenceTakeOverDvg", "theoretical");
    if (v == "actual") {
      g.take_over_dvg_actual = true;
    } else if (v != "theoretical") {
      f.fail("gridMaster.voltageReferenceTakeOverDvg",
             fmt::format("unknown value '{}' (expected theoretical or actual)", v));
    }
  }
  // Policy.masterDealSelectionStrategy: anything but newestDeal is "not supported, use
  // 'newestDeal'" (a USER WARN), longLastingDeal too; so here.
  g.master_deal_selection = f.string_or("gridMaster.masterDealSelection.strategy", "newestDeal");
  if (g.master_deal_selection != "newestDeal") {
    f.warn("gridMaster.masterDealSelection.strategy",
           fmt::format("'{}' not supported, use 'newestDeal'", g.master_deal_selection));
    g.master_deal_selection = "newestDeal";
  }
  {
    const std::string v =
        f.string_or("gridMaster.gridMasterSelection.strategy", "voltageReferenceUnit");
    if (v == "voltageReferenceUnit") {
      g.selection = GridMasterSelection::kVoltageReferenceUnit;
    } else if (v == "fixed") {
      g.selection = GridMasterSelection::kFixed;
    } else if (v == "anywhere") {
      g.selection = GridMasterSelection::kAnywhere;
    } else {
      f.fail("gridMaster.gridMasterSelection.strategy",
             fmt::format("unknown value '{}' (expected voltageReferenceUnit, fixed or anywhere)", v));
    }
  }
  g.fixed_unit_id = f.string_or("gridMaster.gridMasterSelection.fixedUnitId", "");
  if (g.selection == GridMasterSelection::kFixed && !p.is_member(g.fixed_unit_id))
    f.fail("gridMaster.gridMasterSelection.fixedUnitId",
           fmt::format("'{}' is not in memberUnitIds (strategy is fixed)", g.fixed_unit_id));
  g.interlock_inconsistency_retry_wait_ms =
      f.integer_or("gridMaster.gridMasterEnsuring.interlockInconsistency.retryWaitMsec", 2000);
  g.absence_ensure_wait_ms =
      f.integer_or("gridMaster.gridMasterWatching.absence.ensureWaitMsec", 5000);
  g.discharge_unit_lower_limit_rsoc =
      f.number_or("gridMaster.deal.forceStopCondition.dischargeUnitLowerLimitRsoc", 20);
  g.charge_unit_upper_limit_rsoc =
      f.number_or("gridMaster.deal.forceStopCondition.chargeUnitUpperLimitRsoc", 95);
  g.reference_side = read_side(f, "gridMaster.deal.referenceSide");
  g.reset_limit = static_cast<int>(f.integer_or("gridMaster.deal.resetLimit", 3));
  g.compensation_limit_of_trials =
      static_cast<int>(f.integer_or("gridMaster.currentCompensation.limitOfTrials", 3));
  g.compensation_drift_allowance_a =
      f.number_or("gridMaster.currentCompensation.driftAllowanceA", 0.03);
  g.grid_voltage_optimization_enabled =
      f.boolean_or("gridMaster.gridVoltageOptimization.enabled", false);
  g.helo_period_ms = f.integer_or("gridMaster.heloPeriodMsec", 5000);
  g.data_collection_period_ms = f.integer_or("gridMaster.dataCollectionPeriodMsec", 5000);
  g.data_collection_timeout_ms = f.integer_or("gridMaster.dataCollectionTimeoutMsec", 2000);
  g.main_loop_period_ms = f.integer_or("gridMaster.mainLoopPeriodMsec", 5000);
  g.error_sustaining_ms = f.integer_or("gridMaster.errorSustainingMsec", 30000);
  require_positive(f, "gridMaster.mainLoopPeriodMsec", static_cast<double>(g.main_loop_period_ms));
  if (g.discharge_unit_lower_limit_rsoc >= g.charge_unit_upper_limit_rsoc)
    f.fail("gridMaster.deal.forceStopCondition",
           fmt::format("dischargeUnitLowerLimitRsoc {} must be below chargeUnitUpperLimitRsoc {}",
                       g.discharge_unit_lower_limit_rsoc, g.charge_unit_upper_limit_rsoc));

  // Keys of apis-main's machinery that wattshare does differently: named, never silently dropped.
  for (const auto& [key, why] : std::initializer_list<std::pair<const char*, const char*>>{
           {"heloPeriodMsec", "not used: members find each other through their etcd records on a lease, not helo messages"},
           {"gridMaster.heloPeriodMsec", "not used: members find each other through their etcd records on a lease, not helo messages"},
           {"gridMaster.dataCollectionPeriodMsec",
            "not used: the grid master reads its units' data in each main loop (gridMaster.mainLoopPeriodMsec)"},
           {"gridMaster.gridMasterEnsuring.interlockInconsistency",
            "not used: interlocks are etcd transactions, which cannot disagree as shared maps can"}}) {
    if (f.find(key) != nullptr) f.warn(key, why);
  }
  if (!f.ok()) return tl::unexpected(f.failure());
  p.warnings = f.warnings();
  return p;
}

tl::expected<Policy, Error> load_policy(const std::string& path) {
  return load_json_file(path).and_then([&](const Json& doc) { return parse_policy(doc, path); });
}

}  // namespace wattshare
