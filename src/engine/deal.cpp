#include "engine/deal.hpp"

#include <cmath>

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
  // Keys come in the order apis-main puts them into its JsonObject (insertion order is what
  // Vert.x encodes): Negotiation builds the deal, DealManagement adds dealId and createDateTime,
  // then DealUtil adds each step's time as it happens. Putting a key that exists keeps its place,
  // as ordered_json does, so replaying DealUtil's puts gives APIS's bytes.
  auto at = [&](TimePoint t) { return format_apis_time(t, offset); };
  auto number_or_null = [](const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); };
  // A unit that knows no efficient grid voltage (no efficientBatteryGridVoltageRatio) sends none,
  // and APIS puts the missing Float as null.
  auto voltage = [](double v) { return v > 0 ? Json(v) : Json(nullptr); };
  auto reasons = [&](const std::vector<TimedReason>& list) {
    Json a = Json::array();
    for (const auto& r : list) a.push_back(Json{{"dateTime", at(r.time)}, {"reason", r.reason}});
    return a;
  };
  Json j;
  j["unitId"] = d.unit_id;
  j["negotiationId"] = d.negotiation_id;
  j["requestUnitId"] = d.request_unit_id;
  j["acceptUnitId"] = d.accept_unit_id;
  j["requestDateTime"] = at(d.request_time);
  j["acceptDateTime"] = at(d.accept_time);
  j["requestPointPerWh"] = number_or_null(d.request_point_per_wh);
  j["acceptPointPerWh"] = number_or_null(d.accept_point_per_wh);
  j["requestDealGridCurrentA"] = d.request_deal_grid_current_a;
  j["acceptDealGridCurrentA"] = d.accept_deal_grid_current_a;
  j["type"] = std::string(to_string(d.type));
  j["chargeUnitId"] = d.charge_unit_id;
  j["dischargeUnitId"] = d.discharge_unit_id;
  j["pointPerWh"] = number_or_null(d.point_per_wh);
  j["chargeUnitEfficientGridVoltageV"] = voltage(d.charge_unit_efficient_grid_voltage_v);
  j["dischargeUnitEfficientGridVoltageV"] = voltage(d.discharge_unit_efficient_grid_voltage_v);
  j["dealGridCurrentA"] = d.deal_grid_current_a;
  // Integer in APIS's requests and accepts.
  j["requestAmountWh"] = std::llround(d.request_amount_wh);
  j["acceptAmountWh"] = std::llround(d.accept_amount_wh);
  j["dealAmountWh"] = d.deal_amount_wh;
  if (d.request_pair_unit_id) j["requestPairUnitId"] = *d.request_pair_unit_id;
  if (d.accept_pair_unit_id) j["acceptPairUnitId"] = *d.accept_pair_unit_id;
  j["dealId"] = d.deal_id;
  j["createDateTime"] = at(d.create_time);
  // DealActivation.prepareActivate_ sets the target before the deal is activated; a reset
  // (DealMasterAuthorization) removes the times, so the next activation's come after it.
  if (d.compensation_target_vr_ig_a)
    j["compensationTargetVoltageReferenceGridCurrentA"] = *d.compensation_target_vr_ig_a;
  if (!d.reset.empty()) j["reset"] = reasons(d.reset);
  if (d.activate_time) j["activateDateTime"] = at(*d.activate_time);
  if (d.is_master) j["isMaster"] = true;
  if (d.ramp_up_time) j["rampUpDateTime"] = at(*d.ramp_up_time);
  if (d.warm_up_time) j["warmUpDateTime"] = at(*d.warm_up_time);
  if (d.discharge_unit_compensated_ig_a)
    j["dischargeUnitCompensatedGridCurrentA"] = *d.discharge_unit_compensated_ig_a;
  if (d.charge_unit_compensated_ig_a)
    j["chargeUnitCompensatedGridCurrentA"] = *d.charge_unit_compensated_ig_a;
  if (d.start_time) j["startDateTime"] = at(*d.start_time);
  if (d.cumulate_time) j["cumulateDateTime"] = at(*d.cumulate_time);
  if (d.start_time) {
    // DealUtil.start puts the Integer 0; cumulate puts Floats.
    if (d.cumulate_amount_wh == 0) j["cumulateAmountWh"] = 0;
    else j["cumulateAmountWh"] = d.cumulate_amount_wh;
  }
  if (!d.need_to_stop_reasons.empty()) j["needToStopReasons"] = d.need_to_stop_reasons;
  const std::optional<TimePoint> aborted =
      d.abort.empty() ? std::nullopt : std::optional<TimePoint>(d.abort.front().time);
  const std::optional<TimePoint> scrammed =
      d.scram ? std::optional<TimePoint>(d.scram->time) : std::nullopt;
  // DealAbortion stops the deal before it aborts it; a scram stops it as it scrams it.
  const bool stopped_by_scram = scrammed && !aborted && d.stop_time == scrammed;
  if (d.stop_time && !stopped_by_scram) j["stopDateTime"] = at(*d.stop_time);
  // Deactivation follows an abort; a scram deactivates as it scrams.
  const std::optional<TimePoint> failed = aborted ? aborted : scrammed;
  if (d.deactivate_time && (!failed || *d.deactivate_time < *failed))
    j["deactivateDateTime"] = at(*d.deactivate_time);
  auto put_if_absent = [&](const char* key, const Json& v) {
    if (!j.contains(key)) j[key] = v;
  };
  // DealUtil.abort, scram and deactivate: the times of steps the deal never reached become "--".
  auto unreached_activation = [&] {
    if (d.activated()) return;
    put_if_absent("activateDateTime", kApisNoTime);
    put_if_absent("deactivateDateTime", kApisNoTime);
  };
  auto unreached_start = [&] {
    if (d.started()) return;
    put_if_absent("startDateTime", kApisNoTime);
    put_if_absent("stopDateTime", kApisNoTime);
  };
  auto deactivation = [&] {
    if (d.deactivate_time) put_if_absent("deactivateDateTime", at(*d.deactivate_time));
  };
  if (aborted) {
    j["abortDateTime"] = at(d.abort.front().time);
    j["abortReason"] = d.abort.front().reason;
    j["abort"] = reasons(d.abort);
    unreached_activation();
    unreached_start();
  }
  if (d.scram) {
    j["scramDateTime"] = at(d.scram->time);
    j["scramReason"] = d.scram->reason;
    unreached_activation();
    deactivation();
    unreached_start();
    if (d.stop_time) put_if_absent("stopDateTime", at(*d.stop_time));
  }
  deactivation();
  if (d.deactivate_time) unreached_start();
  for (FailPoint p : kAllFailPoints)
    if (d.fails_at(p)) j["testFeature"]["dcdc"][std::string(fail_point_name(p))] = true;
  return j;
}

}  // namespace wattshare
