#include "engine/deal.hpp"

#include "core/apis_time.hpp"

namespace wattshare {

std::string_view fail_point_name(FailPoint p) {
  switch (p) {
    case FailPoint::kBeforeActivate: return "failBeforeActivate";
    case FailPoint::kAfterActivate: return "failAfterActivate";
    case FailPoint::kBeforeAuthorize: return "failBeforeAuthorize";
    case FailPoint::kAfterAuthorize: return "failAfterAuthorize";
    case FailPoint::kBeforeWarmUp: return "failBeforeWarmUp";
    case FailPoint::kAfterWarmUp: return "failAfterWarmUp";
    case FailPoint::kBeforeCompensate: return "failBeforeCompensate";
    case FailPoint::kAfterCompensate: return "failAfterCompensate";
    case FailPoint::kBeforeStop: return "failBeforeStop";
    case FailPoint::kAfterStop: return "failAfterStop";
    case FailPoint::kBeforeDeactivate: return "failBeforeDeactivate";
    case FailPoint::kAfterDeactivate: return "failAfterDeactivate";
  }
  return "";
}

std::string_view to_string(DealState s) {
  switch (s) {
    case DealState::kNew: return "new";
    case DealState::kActivated: return "activated";
    case DealState::kRampedUp: return "rampedUp";
    case DealState::kWarmedUp: return "warmedUp";
    case DealState::kStarted: return "started";
    case DealState::kStopped: return "stopped";
    case DealState::kDeactivated: return "deactivated";
  }
  return "new";
}

DealState Deal::state() const {
  if (deactivate_time) return DealState::kDeactivated;
  if (stop_time) return DealState::kStopped;
  if (start_time) return DealState::kStarted;
  if (warm_up_time) return DealState::kWarmedUp;
  if (ramp_up_time) return DealState::kRampedUp;
  if (activate_time) return DealState::kActivated;
  return DealState::kNew;
}

Json deal_json(const Deal& d, Duration offset) {
  const bool failed = !d.abort.empty() || d.scram.has_value();
  Json j;
  auto time = [&](const char* key, const std::optional<TimePoint>& t) {
    if (t) j[key] = format_apis_time(*t, offset);
    else if (failed) j[key] = "--";
  };
  j["unitId"] = d.unit_id;
  j["negotiationId"] = d.negotiation_id;
  j["dealId"] = d.deal_id;
  j["requestUnitId"] = d.request_unit_id;
  j["acceptUnitId"] = d.accept_unit_id;
  j["requestDateTime"] = format_apis_time(d.request_time, offset);
  j["acceptDateTime"] = format_apis_time(d.accept_time, offset);
  j["type"] = std::string(to_string(d.type));
  j["chargeUnitId"] = d.charge_unit_id;
  j["dischargeUnitId"] = d.discharge_unit_id;
  if (d.request_point_per_wh) j["requestPointPerWh"] = *d.request_point_per_wh;
  if (d.accept_point_per_wh) j["acceptPointPerWh"] = *d.accept_point_per_wh;
  if (d.point_per_wh) j["pointPerWh"] = *d.point_per_wh;
  j["requestDealGridCurrentA"] = d.request_deal_grid_current_a;
  j["acceptDealGridCurrentA"] = d.accept_deal_grid_current_a;
  j["dealGridCurrentA"] = d.deal_grid_current_a;
  j["requestAmountWh"] = d.request_amount_wh;
  j["acceptAmountWh"] = d.accept_amount_wh;
  j["dealAmountWh"] = d.deal_amount_wh;
  j["chargeUnitEfficientGridVoltageV"] = d.charge_unit_efficient_grid_voltage_v;
  j["dischargeUnitEfficientGridVoltageV"] = d.discharge_unit_efficient_grid_voltage_v;
  if (d.request_pair_unit_id) j["requestPairUnitId"] = *d.request_pair_unit_id;
  if (d.accept_pair_unit_id) j["acceptPairUnitId"] = *d.accept_pair_unit_id;
  j["createDateTime"] = format_apis_time(d.create_time, offset);
  time("activateDateTime", d.activate_time);
  time("rampUpDateTime", d.ramp_up_time);
  if (d.compensation_target_vr_ig_a)
    j["compensationTargetVoltageReferenceGridCurrentA"] = *d.compensation_target_vr_ig_a;
  time("warmUpDateTime", d.warm_up_time);
  if (d.discharge_unit_compensated_ig_a)
    j["dischargeUnitCompensatedGridCurrentA"] = *d.discharge_unit_compensated_ig_a;
  if (d.charge_unit_compensated_ig_a)
    j["chargeUnitCompensatedGridCurrentA"] = *d.charge_unit_compensated_ig_a;
  time("startDateTime", d.start_time);
  time("cumulateDateTime", d.cumulate_time);
  j["cumulateAmountWh"] = d.cumulate_amount_wh;
  time("stopDateTime", d.stop_time);
  time("deactivateDateTime", d.deactivate_time);
  if (d.is_master) j["isMaster"] = true;
  auto reasons = [&](const std::vector<TimedReason>& list) {
    Json a = Json::array();
    for (const auto& r : list)
      a.push_back(Json{{"dateTime", format_apis_time(r.time, offset)}, {"reason", r.reason}});
    return a;
  };
  if (!d.reset.empty()) j["reset"] = reasons(d.reset);
  if (!d.abort.empty()) {
    j["abortDateTime"] = format_apis_time(d.abort.front().time, offset);
    j["abortReason"] = d.abort.front().reason;
    j["abort"] = reasons(d.abort);
  }
  if (d.scram) {
    j["scramDateTime"] = format_apis_time(d.scram->time, offset);
    j["scramReason"] = d.scram->reason;
  }
  if (!d.need_to_stop_reasons.empty()) j["needToStopReasons"] = d.need_to_stop_reasons;
  for (FailPoint p : kAllFailPoints)
    if (d.fails_at(p)) j["testFeature"]["dcdc"][std::string(fail_point_name(p))] = true;
  return j;
}

}  // namespace wattshare
