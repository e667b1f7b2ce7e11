#include "engine/invariants.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>


namespace wattshare {

InvariantChecker::InvariantChecker(const Community& community, const InvariantSubject& subject,
                                   const Policy& policy)
    : community_(community),
      subject_(subject),
      policy_(policy),
      credited_wh_(community.size(), 0.0),
      credited_deals_(community.size(), 0) {}

void InvariantChecker::violate(TimePoint t, std::string what) {
  ++count_;
  if (kept_.size() < 100) kept_.push_back({t, std::move(what)});
}

void InvariantChecker::on_disposed(const Deal& d) {
  if (!d.started()) return;
  const int idx = community_.index_of(d.charge_unit_id);
  if (idx >= 0) {
    credited_wh_[static_cast<std::size_t>(idx)] += d.cumulate_amount_wh;
    credited_deals_[static_cast<std::size_t>(idx)] += 1;
  }
  disposed_since_check_ = true;
}

void InvariantChecker::run(TimePoint now) {
  if (subject_.deal_count() == 0 && !disposed_since_check_) {
    // Idle community: only the physics can be wrong — a converter driving current with no
    // voltage reference, or one left running without a deal after a grid master is gone.
    bool busy = false;
    for (std::size_t i = 0; i < community_.size() && !busy; ++i)
      busy = community_.converter(i).mode() != DcdcMode::kWait;
    if (!busy) return;
  }
  // At most one grid master acting.
  const auto [masters, last_loop] = subject_.grid_masters_acting();
  if (masters > 1) violate(now, fmt::format("{} grid masters acting at once", masters));
  if (masters > 0 && last_loop != TimePoint{}) last_master_seen_ = std::max(last_master_seen_, last_loop);

  // No unit on both sides; the current caps. Credited energy, per charging unit, of the deals
  // under way (for the energy check below). One pass over the table, no copies.
  const std::size_t n = community_.size();
  std::vector<std::uint8_t> side(n, 0);  // bit 0 charging, bit 1 discharging
  std::vector<double> credited_wh = credited_wh_;
  std::vector<int> credited_deals = credited_deals_;
  double sum_a = 0;
  std::size_t active = 0;
  subject_.for_each_deal([&](const Deal& d) {
    const int c = community_.index_of(d.charge_unit_id);
    if (d.started() && c >= 0) {
      credited_wh[static_cast<std::size_t>(c)] += d.cumulate_amount_wh;
      credited_deals[static_cast<std::size_t>(c)] += 1;
    }
    if (!d.master_active()) return;
    ++active;
    sum_a += d.deal_grid_current_a;
    const int dis = community_.index_of(d.discharge_unit_id);
    if (c >= 0) side[static_cast<std::size_t>(c)] |= 1;
    if (dis >= 0) side[static_cast<std::size_t>(dis)] |= 2;
  });
  for (std::size_t i = 0; i < n; ++i)
    if (side[i] == 3) violate(now, community_.unit_id(i) + " is on both sides of active deals");
  max_deals_ = std::max(max_deals_, active);
  max_sum_a_ = std::max(max_sum_a_, sum_a);
  if (sum_a > policy_.safety.sum_of_deal_grid_current_max_a + 1e-9)
    violate(now, fmt::format("sum of deal currents {} A above {} A", sum_a,
                             policy_.safety.sum_of_deal_grid_current_max_a));
  if (policy_.safety.topology_enabled) {
    for (const auto& b : policy_.safety.branches) {
      double i = 0;
      for (const auto& u : b.forward_unit_ids) {
        const int idx = community_.index_of(u);
        if (idx >= 0) i += community_.unit_data(static_cast<std::size_t>(idx)).meter.ig_a;
      }
      if (std::abs(i) > b.current_capacity_a + 1e-6)
        violate(now, fmt::format("branch {} carries {:.2f} A above {} A", b.id, i, b.current_capacity_a));
    }
  }

  // Physics truth: CC current needs a voltage reference on the bus.
  bool reference = false;
  std::vector<std::string> driving;
  for (std::size_t i = 0; i < community_.size(); ++i) {
    const auto mode = community_.converter(i).mode();
    if (mode == DcdcMode::kVoltageReference && community_.converter(i).alarm_level() != AlarmLevel::kHeavy)
      reference = true;
    if ((mode == DcdcMode::kCharge || mode == DcdcMode::kDischarge) &&
        std::abs(community_.unit_data(i).meter.ig_a) > 0.05)
      driving.push_back(community_.unit_id(i));
  }
  if (!reference && !driving.empty())
    violate(now, fmt::format("{} drives current with no voltage reference on the bus", driving.front()));

  disposed_since_check_ = false;
  // No deal credited more than its charging battery received (sampling tolerance: 2 % and
  // 2 Wh per deal, since APIS integrates the power seen every main loop).
  for (std::size_t i = 0; i < n; ++i) {
    if (credited_deals[i] == 0) continue;
    const double received = community_.unit_totals(i).battery_in_wh;
    if (credited_wh[i] > received * 1.02 + 2.0 * credited_deals[i])
      violate(now, fmt::format("{} credited {:.1f} Wh in deals but its battery received {:.1f} Wh",
                               community_.unit_id(i), credited_wh[i], received));
  }

  // No deal outlives its grid master by more than two main-loop periods.
  // Two main-loop periods, plus one acquisition period: the granularity at which a unit can
  // notice anything.
  const Duration grace = milliseconds(2 * policy_.grid_master.main_loop_period_ms +
                                      policy_.controller.data_acquisition_period_ms);
  if (active > 0 && last_master_seen_ != TimePoint{} && now - last_master_seen_ > grace) {
    for (std::size_t i = 0; i < community_.size(); ++i) {
      if (community_.converter(i).mode() != DcdcMode::kWait) {
        violate(now, fmt::format("{} still in {} {:.0f} s after the last grid-master loop",
                                 community_.unit_id(i), mode_code(community_.converter(i).mode()),
                                 to_seconds(now - last_master_seen_)));
        break;
      }
    }
  }
}

}  // namespace wattshare
