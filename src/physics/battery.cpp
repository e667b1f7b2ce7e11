#include "physics/battery.hpp"

#include <algorithm>

namespace wattshare {

Battery::Battery(const BatteryParams& p)
    : p_(p),
      stored_wh_(p.capacity_wh * std::clamp(p.initial_rsoc_pct, 0.0, 100.0) / 100.0),
      self_discharge_w_(p.capacity_wh * p.self_discharge_pct_per_month / 100.0 / (30.0 * 24.0)) {}

void Battery::set_rsoc_pct(double pct) {
  stored_wh_ = p_.capacity_wh * std::clamp(pct, 0.0, 100.0) / 100.0;
}

double Battery::charge_limit_w(double dt_s) const {
  const double room_wh = std::max(0.0, p_.capacity_wh * p_.ceiling_rsoc_pct / 100.0 - stored_wh_);
  return dt_s > 0 ? std::min(p_.max_charge_w, room_wh * 3600.0 / (p_.charge_efficiency * dt_s)) : 0.0;
}

BatteryFlow Battery::exchange(double requested_w, double dt_s) {
  BatteryFlow f;
  const double hours = dt_s / 3600.0;
  if (hours <= 0) return f;
  // Self-discharge first, never below empty.
  const double self_wh = std::min(self_discharge_w_ * hours, stored_wh_);
  stored_wh_ -= self_wh;
  f.loss_wh = self_wh;
  if (requested_w > 0) {
    const double in_w = std::min(requested_w, charge_limit_w(dt_s));
    const double in_wh = in_w * hours;
    stored_wh_ += in_wh * p_.charge_efficiency;
    f.loss_wh += in_wh * (1.0 - p_.charge_efficiency);
    f.terminal_w = in_w;
  } else if (requested_w < 0) {
    const double avail_wh = std::max(0.0, stored_wh_ - p_.capacity_wh * p_.floor_rsoc_pct / 100.0);
    const double by_energy_w = avail_wh * p_.discharge_efficiency / hours;
    const double out_w = std::min({-requested_w, p_.max_discharge_w, by_energy_w});
    const double taken_wh = out_w * hours / p_.discharge_efficiency;
    stored_wh_ -= taken_wh;
    f.loss_wh += taken_wh - out_w * hours;
    f.terminal_w = -out_w;
  }
  return f;
}

}  // namespace wattshare
