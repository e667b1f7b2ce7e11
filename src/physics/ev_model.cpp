#include "physics/ev_model.hpp"

#include <algorithm>

#include "core/random.hpp"

namespace wattshare {
namespace {

// 1970-01-01 was a Thursday: Monday = 0.
int weekday_of(std::int64_t day) { return static_cast<int>(((day + 3) % 7 + 7) % 7); }

}  // namespace

EvModel::EvModel(const EvParams& p)
    : p_(p), capacity_wh_(p.battery_kwh * 1000), energy_wh_(std::clamp(p.start_soc, 0.0, 1.0) * capacity_wh_) {}

EvModel::Trip EvModel::trip_on(std::int64_t day) const {
  auto u = [&](std::uint64_t stream) { return uniform01(hash_key(p_.seed, 0xE7, static_cast<std::uint64_t>(day), stream)); };
  if (weekday_of(day) < 5) {
    return {7 * 60 + static_cast<int>(60 * u(1)), 17 * 60 + static_cast<int>(120 * u(2)),
            p_.workday_kwh * 1000 * (0.6 + 0.8 * u(3))};
  }
  if (u(4) < 0.5) return {};  // a day at home
  return {10 * 60 + static_cast<int>(60 * u(1)), 15 * 60 + static_cast<int>(120 * u(2)),
          p_.weekend_kwh * 1000 * (0.6 + 0.8 * u(3))};
}

EvModel::Departure EvModel::next_departure(std::int64_t local_minute) const {
  const std::int64_t today = floor_div(local_minute, 1440);
  for (std::int64_t day = today; day < today + 8; ++day) {
    const Trip t = trip_on(day);
    const std::int64_t leave = day * 1440 + t.leave_min;
    if (t.leave_min != t.back_min && leave >= local_minute) {
      return {leave, std::min(t.wh + p_.reserve_kwh * 1000, capacity_wh_)};
    }
  }
  return {today * 1440 + 8 * 1440, std::min(p_.reserve_kwh * 1000, capacity_wh_)};
}

double EvModel::missing_wh(TimePoint local) const {
  const auto local_minute = std::chrono::floor<std::chrono::minutes>(local).time_since_epoch().count();
  return std::max(next_departure(local_minute).wanted_wh - energy_wh_, 0.0);
}

EvStep EvModel::step(TimePoint local, Duration dt, double offered_w, bool baseline) {
  EvStep s;
  const double h = to_seconds(dt) / 3600;
  if (h <= 0) return s;
  const std::int64_t local_minute = std::chrono::floor<std::chrono::minutes>(local).time_since_epoch().count();
  const std::int64_t day = floor_div(local_minute, 1440);
  const int minute = static_cast<int>(local_minute - day * 1440);
  const Trip trip = trip_on(day);
  const bool away = trip.leave_min != trip.back_min && minute >= trip.leave_min && minute < trip.back_min;
  if (away && !away_) {  // it leaves: what it needs, what it has
    ++departures_;
    const double wanted = std::min(trip.wh + p_.reserve_kwh * 1000, capacity_wh_);
    if (wanted - energy_wh_ > 1e-6) shortfall_wh_ += wanted - energy_wh_;  // (not a rounding error)
    const double driven = std::min(trip.wh, energy_wh_);
    energy_wh_ -= driven;
    driven_wh_ += driven;
  }
  away_ = away;
  if (away) return s;
  s.plugged = true;
  const double room_wh = capacity_wh_ - energy_wh_;
  if (baseline) {
    s.mains_w = std::min(p_.max_w * h, room_wh) / h;
  } else {
    // From the mains only what cannot wait: the energy wanted at departure that full power from
    // the next step on could no longer bring.
    const Departure next = next_departure(local_minute);
    const TimePoint leave{std::chrono::minutes(next.at_minute)};
    const double hours_after = std::max(to_seconds(leave - local) / 3600 - h, 0.0);
    const double must_wh = std::clamp(next.wanted_wh - energy_wh_ - p_.max_w * hours_after, 0.0, std::min(p_.max_w * h, room_wh));
    const double surplus_wh = std::min(std::clamp(offered_w, 0.0, p_.max_w) * h, std::min(p_.max_w * h, room_wh) - must_wh);
    s.mains_w = must_wh / h;
    s.surplus_w = std::max(surplus_wh, 0.0) / h;
  }
  energy_wh_ += s.total_w() * h;
  return s;
}

}  // namespace wattshare
