// APIS's scenario evaluation and deal sizing as pure functions (reference §4.2, §4.3): what a
// unit requests from its battery status, what it accepts from another unit's request, which
// accept a requester chooses, and the deal both agree on.
//   auto req = make_request(*slice, unit_id, remaining_wh, policy, now, vb);
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/policy.hpp"
#include "config/scenario.hpp"
#include "core/time.hpp"

namespace wattshare {

// A request or an accept as APIS's messages carry them. For an accept, `type` is the
// acceptor's own direction (the opposite of the request's).
struct Offer {
  std::string unit_id;
  DealDirection type = DealDirection::kCharge;
  double amount_wh = 0;
  std::optional<double> point_per_wh;
  std::optional<std::string> pair_unit_id;
  double efficient_grid_voltage_v = 0;
  TimePoint time{};
  double deal_grid_current_a = 0;
};

struct UnitView {
  const std::string& unit_id;
  double remaining_wh = 0;
  double efficient_grid_voltage_v = 0;  // ratio x vb
  TimePoint time{};
};

// Energy a rule asks for: limit - remaining to charge, remaining - limit to discharge.
double rule_amount_wh(const DealRule& rule, double remaining_wh);

// The unit's request in this slice, if its status asks for one above amountMinWh.
std::optional<Offer> make_request(const TimeSlice& slice, const UnitView& me, const Policy& policy);

// The accept this unit's status offers to any request of `request_type`, before pairing: what a
// unit keeps ready and answers each request from (SimpleScenarioEvaluationImpl.treatRequest
// without its two pairUnitId checks).
std::optional<Offer> accept_offer(const TimeSlice& slice, const UnitView& me, DealDirection request_type,
                                  const Policy& policy);

// treatRequest's pairing: a request paired with another unit, or an accept paired with another
// requester, gets no answer (nor does one's own request).
bool pairing_allows(const Offer& request, const std::string& me, const std::optional<Offer>& accept);

// This unit's accept of `request`, if its status and pairing rules allow one.
std::optional<Offer> make_accept(const TimeSlice& slice, const UnitView& me, const Offer& request,
                                 const Policy& policy);

// The accept the requester takes (nullptr when none qualifies).
const Offer* choose_accept(AcceptSelection strategy, const Offer& request,
                           const std::vector<Offer>& accepts);

struct DealTerms {
  long long amount_wh = 0;
  double grid_current_a = 0;
  std::optional<double> point_per_wh;  // the charge side's price
};

// min(request, accept, amountMaxWh), floored to amountUnitWh; nullopt below amountMinWh.
std::optional<DealTerms> size_deal(const Offer& request, const Offer& accept, const Policy& policy);

}  // namespace wattshare
