// An APIS deal: one energy transfer between a charging and a discharging unit, from negotiation
// to disposal (reference §2.8, §4.6). The deal table holds these; the grid master keeps no
// private state, so any unit can take over. `version` supports compare-and-set updates.
//   Deal d = ...;  DealState s = d.state();  Json j = deal_json(d, hours(9));
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/policy.hpp"
#include "config/scenario.hpp"
#include "core/json_file.hpp"
#include "core/time.hpp"

namespace wattshare {

// testFeature.dcdc.* injection points (reference §2.8): `true` fails the deal at that step.
enum class FailPoint : std::uint16_t {
  kBeforeActivate = 1 << 0,
  kAfterActivate = 1 << 1,
  kBeforeAuthorize = 1 << 2,
  kAfterAuthorize = 1 << 3,
  kBeforeWarmUp = 1 << 4,
  kAfterWarmUp = 1 << 5,
  kBeforeCompensate = 1 << 6,
  kAfterCompensate = 1 << 7,
  kBeforeStop = 1 << 8,
  kAfterStop = 1 << 9,
  kBeforeDeactivate = 1 << 10,
  kAfterDeactivate = 1 << 11,
};
std::string_view fail_point_name(FailPoint p);  // "failBeforeActivate", ...
inline constexpr FailPoint kAllFailPoints[] = {
    FailPoint::kBeforeActivate,   FailPoint::kAfterActivate,   FailPoint::kBeforeAuthorize,
    FailPoint::kAfterAuthorize,   FailPoint::kBeforeWarmUp,    FailPoint::kAfterWarmUp,
    FailPoint::kBeforeCompensate, FailPoint::kAfterCompensate, FailPoint::kBeforeStop,
    FailPoint::kAfterStop,        FailPoint::kBeforeDeactivate, FailPoint::kAfterDeactivate};

// Where a deal is in its life (derived from its timestamps, as APIS does).
enum class DealState { kNew, kActivated, kRampedUp, kWarmedUp, kStarted, kStopped, kDeactivated };
std::string_view to_string(DealState s);

struct TimedReason {
  TimePoint time;
  std::string reason;
};

struct Deal {
  // identity and negotiation
  std::string unit_id;         // the unit that created it (the requester's)
  std::string negotiation_id;
  std::string deal_id;
  std::string request_unit_id, accept_unit_id;
  DealDirection type = DealDirection::kCharge;
  std::string charge_unit_id, discharge_unit_id;
  TimePoint request_time{}, accept_time{}, create_time{};
  std::optional<double> request_point_per_wh, accept_point_per_wh, point_per_wh;
  double request_deal_grid_current_a = 0, accept_deal_grid_current_a = 0, deal_grid_current_a = 0;
  double request_amount_wh = 0, accept_amount_wh = 0;
  long long deal_amount_wh = 0;
  double charge_unit_efficient_grid_voltage_v = 0, discharge_unit_efficient_grid_voltage_v = 0;
  std::optional<std::string> request_pair_unit_id, accept_pair_unit_id;
  // execution
  std::optional<TimePoint> activate_time, ramp_up_time, warm_up_time, start_time, cumulate_time,
      stop_time, deactivate_time;
  std::optional<double> compensation_target_vr_ig_a;
  // wattshare: the reference's ig beyond what the deal table implied, just before activation.
  double vr_ig_offset_a = 0;
  // wattshare: the reference side's battery energy meter at cumulate_time, when it has one.
  std::optional<double> cumulate_meter_wh;
  std::optional<double> discharge_unit_compensated_ig_a, charge_unit_compensated_ig_a;
  double cumulate_amount_wh = 0;
  bool is_master = false;
  // failure
  std::vector<TimedReason> reset, abort;
  std::optional<TimedReason> scram;
  std::vector<std::string> need_to_stop_reasons;
  std::uint16_t fail_points = 0;  // FailPoint bits
  // Abortions that failed (at a test point): each is a HARDWARE:LOCAL:ERROR on both units.
  int abortion_failures = 0;
  // table bookkeeping
  std::uint64_t version = 0;

  [[nodiscard]] DealState state() const;
  [[nodiscard]] bool activated() const { return activate_time.has_value(); }
  [[nodiscard]] bool started() const { return start_time.has_value(); }
  [[nodiscard]] bool stopped() const { return stop_time.has_value(); }
  [[nodiscard]] bool deactivated() const { return deactivate_time.has_value(); }
  // Master side active: activated and not yet deactivated.
  [[nodiscard]] bool master_active() const { return activated() && !deactivated(); }
  [[nodiscard]] bool involves(const std::string& unit) const {
    return charge_unit_id == unit || discharge_unit_id == unit;
  }
  [[nodiscard]] const std::string& unit_on(DealSide side) const {
    return side == DealSide::kChargeUnit ? charge_unit_id : discharge_unit_id;
  }
  // The deal's other unit (`unit` is one of its two).
  [[nodiscard]] const std::string& other_side(const std::string& unit) const {
    return unit == charge_unit_id ? discharge_unit_id : charge_unit_id;
  }
  [[nodiscard]] bool fails_at(FailPoint p) const {
    return (fail_points & static_cast<std::uint16_t>(p)) != 0;
  }
  // Worth a deal-log record: activated at least once, or reset (APIS "saveworthy").
  [[nodiscard]] bool saveworthy() const { return activated() || !reset.empty(); }
};

// APIS's Deal.NULL_DATE_TIME_VALUE: the time of a step the deal will never take.
inline constexpr const char* kApisNoTime = "--";

// The deal as apis-main's DealUtil writes it, byte for byte once encoded: its keys in APIS's
// order, null prices kept, integer amounts, "--" for the activate, deactivate, start and stop
// times of steps an aborted, scrammed or finished deal never took, and no other "--".
Json deal_json(const Deal& d, Duration utc_offset);

}  // namespace wattshare
