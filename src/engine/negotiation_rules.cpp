#include "engine/negotiation_rules.hpp"

#include <algorithm>
#include <cmath>

namespace wattshare {

double rule_amount_wh(const DealRule& rule, double remaining_wh) {
  return rule.direction == DealDirection::kCharge ? rule.limit_wh - remaining_wh
                                                  : remaining_wh - rule.limit_wh;
}

namespace {

Offer offer_from(const DealRule& rule, const UnitView& me, double amount, const Policy& policy) {
  Offer o;
  o.unit_id = me.unit_id;
  o.type = rule.direction;
  o.amount_wh = amount;
  o.point_per_wh = rule.point_per_wh;
  o.pair_unit_id = rule.pair_unit_id;
  o.efficient_grid_voltage_v = me.efficient_grid_voltage_v;
  o.time = me.time;
  o.deal_grid_current_a = policy.mediator.deal_grid_current_a;
  return o;
}

}  // namespace

std::optional<Offer> make_request(const TimeSlice& slice, const UnitView& me, const Policy& policy) {
  const BatteryBand* band = slice.band_for(me.remaining_wh);
  if (band == nullptr) return std::nullopt;
  const StatusRules* rules = &slice.rules[band->rules_index];
  if (!rules->request) return std::nullopt;
  const double amount = rule_amount_wh(*rules->request, me.remaining_wh);
  // The mediator takes only requests strictly above the minimum deal.
  if (!(amount > policy.mediator.deal_amount_min_wh)) return std::nullopt;
  return offer_from(*rules->request, me, amount, policy);
}

std::optional<Offer> accept_offer(const TimeSlice& slice, const UnitView& me, DealDirection request_type,
                                  const Policy& policy) {
  const BatteryBand* band = slice.band_for(me.remaining_wh);
  if (band == nullptr) return std::nullopt;
  const StatusRules* rules = &slice.rules[band->rules_index];
  const DealDirection mine = request_type == DealDirection::kCharge ? DealDirection::kDischarge
                                                                   : DealDirection::kCharge;
  const auto& rule = rules->accept(mine);
  if (!rule) return std::nullopt;
  const double amount = rule_amount_wh(*rule, me.remaining_wh);
  if (!(amount > policy.mediator.deal_amount_min_wh)) return std::nullopt;
  return offer_from(*rule, me, amount, policy);
}

bool pairing_allows(const Offer& request, const std::string& me, const std::optional<Offer>& accept) {
  if (request.unit_id == me) return false;
  if (request.pair_unit_id && *request.pair_unit_id != me) return false;
  return !accept || !accept->pair_unit_id || *accept->pair_unit_id == request.unit_id;
}

std::optional<Offer> make_accept(const TimeSlice& slice, const UnitView& me, const Offer& request,
                                 const Policy& policy) {
  auto accept = accept_offer(slice, me, request.type, policy);
  if (!accept || !pairing_allows(request, me.unit_id, accept)) return std::nullopt;
  return accept;
}

const Offer* choose_accept(AcceptSelection strategy, const Offer& request,
                           const std::vector<Offer>& accepts) {
  const Offer* best = nullptr;
  for (const auto& a : accepts) {
    if (request.pair_unit_id && a.unit_id != *request.pair_unit_id) continue;
    if (strategy == AcceptSelection::kAmount) {
      if (best == nullptr || a.amount_wh > best->amount_wh) best = &a;
      continue;
    }
    // pointAndAmount: a buyer wants the cheapest at or below its price, a seller the dearest at
    // or above; ties go to the larger amount. Accepts without a price do not take part.
    if (!a.point_per_wh || !request.point_per_wh) continue;
    const double p = *a.point_per_wh;
    const bool charge = request.type == DealDirection::kCharge;
    if (charge ? p > *request.point_per_wh : p < *request.point_per_wh) continue;
    if (best == nullptr) {
      best = &a;
      continue;
    }
    const double bp = *best->point_per_wh;
    const bool better_price = charge ? p < bp : p > bp;
    if (better_price || (p == bp && a.amount_wh > best->amount_wh)) best = &a;
  }
  return best;
}

std::optional<DealTerms> size_deal(const Offer& request, const Offer& accept, const Policy& policy) {
  const auto& m = policy.mediator;
  double amount = std::min({request.amount_wh, accept.amount_wh, m.deal_amount_max_wh});
  amount = std::floor(amount / m.deal_amount_unit_wh) * m.deal_amount_unit_wh;
  if (amount < m.deal_amount_min_wh || amount <= 0) return std::nullopt;
  if (!(request.deal_grid_current_a > 0) || !(accept.deal_grid_current_a > 0)) return std::nullopt;
  DealTerms t;
  t.amount_wh = static_cast<long long>(amount);
  t.grid_current_a = std::min(request.deal_grid_current_a, accept.deal_grid_current_a);
  t.point_per_wh = request.type == DealDirection::kCharge ? request.point_per_wh : accept.point_per_wh;
  return t;
}

}  // namespace wattshare
