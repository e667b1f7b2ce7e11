#include "physics/water_heater.hpp"

#include <algorithm>

#include "core/random.hpp"

namespace wattshare {
namespace {

constexpr double kWhPerLitreKelvin = 1.163;
constexpr double kThermostatBandK = 5;
// The day's draws: 60 % over 30 minutes from 07:00, 40 % over 30 minutes from 20:00.
constexpr int kMorningMin = 7 * 60, kEveningMin = 20 * 60, kDrawMinutes = 30;
constexpr double kMorningShare = 0.6;

bool in_window(int minute, int from, int to) {
  return from <= to ? minute >= from && minute < to : minute >= from || minute < to;
}

}  // namespace

WaterHeater::WaterHeater(const WaterHeaterParams& p, double start_c)
    : p_(p), capacity_wh_per_k_(p.volume_l * kWhPerLitreKelvin), t_c_(std::clamp(start_c, p.cold_c, p.max_c)) {}

double WaterHeater::draw_w(std::int64_t local_minute) const {
  const std::int64_t day = floor_div(local_minute, 1440);
  const int minute = static_cast<int>(local_minute - day * 1440);
  const double day_wh = p_.daily_draw_kwh * 1000 * (0.7 + 0.6 * uniform01(hash_key(p_.seed, 0x7A4C, static_cast<std::uint64_t>(day))));
  if (minute >= kMorningMin && minute < kMorningMin + kDrawMinutes) return day_wh * kMorningShare * 60 / kDrawMinutes;
  if (minute >= kEveningMin && minute < kEveningMin + kDrawMinutes) return day_wh * (1 - kMorningShare) * 60 / kDrawMinutes;
  return 0;
}

double WaterHeater::heat_kept_share(std::int64_t local_minute) const {
  const int minute = minute_of_day(local_minute);
  int until = 1440;
  for (const int use : {kMorningMin, kEveningMin, p_.night_from_min}) until = std::min(until, (use - minute + 1440) % 1440);
  return std::max(1.0 - p_.loss_w_per_k / capacity_wh_per_k_ * until / 60.0, 0.0);
}

WaterHeaterStep WaterHeater::step(std::int64_t local_minute, Duration dt, double offered_w) {
  WaterHeaterStep s;
  const double h = to_seconds(dt) / 3600;
  if (h <= 0) return s;
  const int minute = minute_of_day(local_minute);
  if (t_c_ < p_.min_c) thermostat_on_ = true;
  if (t_c_ >= p_.min_c + kThermostatBandK) thermostat_on_ = false;
  const bool night = in_window(minute, p_.night_from_min, p_.night_to_min) && t_c_ < p_.night_setpoint_c;
  const double loss_wh = p_.loss_w_per_k * (t_c_ - p_.room_c) * h;
  const double want_draw_wh = draw_w(local_minute) * h;
  // Heat that brings the tank to `target_c` by the end of the step.
  auto room_wh = [&](double target_c) {
    return std::max((target_c - t_c_) * capacity_wh_per_k_ + want_draw_wh + loss_wh, 0.0);
  };
  // The mains part stops at its thermostat's or the night's set-point, the surplus at max_c.
  const double mains_target_c = std::max(night ? p_.night_setpoint_c : 0.0, thermostat_on_ ? p_.min_c + kThermostatBandK : 0.0);
  const double mains_wh = thermostat_on_ || night ? std::min(p_.element_w * h, room_wh(mains_target_c)) : 0.0;
  const double surplus_wh =
      std::min(std::clamp(offered_w, 0.0, p_.element_w) * h, std::max(std::min(p_.element_w * h, room_wh(p_.max_c)) - mains_wh, 0.0));
  // A draw takes at most the heat there is above the cold water.
  const double draw_wh = std::min(want_draw_wh, std::max(stored_wh() + mains_wh + surplus_wh - loss_wh, 0.0));
  t_c_ += (mains_wh + surplus_wh - draw_wh - loss_wh) / capacity_wh_per_k_;
  s.mains_w = mains_wh / h;
  s.surplus_w = surplus_wh / h;
  s.draw_w = draw_wh / h;
  s.loss_w = loss_wh / h;
  return s;
}

}  // namespace wattshare
