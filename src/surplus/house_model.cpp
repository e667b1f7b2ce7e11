#include "surplus/house_model.hpp"

#include <algorithm>

#include "surplus/router.hpp"

namespace wattshare::surplus {
namespace {

constexpr double kTankWhPerK = 200 * 1.163;  // 200 L of water
constexpr double kColdWaterC = 15, kRoomC = 20;
constexpr double kLossWPerK = 1.3;           // ≈ 52 W at 60 °C
constexpr double kThermostatOnC = 45, kThermostatOffC = 50;
constexpr double kHotWaterDrawW = 3000;      // 1.5 kWh over each 30 min draw

bool away_at(LocalTime lt) {
  return lt.weekday < 5 && lt.minute_of_day >= 7 * 60 + 30 && lt.minute_of_day < 18 * 60;
}

}  // namespace

HouseModel::HouseModel(const HouseModelSettings& s)
    : s_(s),
      where_(s.where),
      sun_(where_, WeatherParams{.seed = s.seed}),
      pv_{.kwp = s.pv_kwp},
      load_(LoadParams{.annual_kwh = s.load_kwh, .seed = s.seed}, where_.utc_offset_h),
      utc_offset_(from_seconds(where_.utc_offset_h * 3600)),
      ev_capacity_wh_(s.ev_battery_kwh * 1000),
      ev_soc_wh_(0.5 * ev_capacity_wh_),
      battery_wh_(0.5 * s.battery_kwh * 1000) {}

std::optional<double> HouseModel::battery_soc_pct() const {
  if (s_.battery_kwh <= 0) return std::nullopt;
  return 100 * battery_wh_ / (s_.battery_kwh * 1000);
}

bool HouseModel::ev_connected(TimePoint t) {
  const bool away = away_at(local_time(t, utc_offset_));
  if (away && away_ && !*away_) {  // it just left: today's trips
    const double trip_wh = s_.ev_daily_kwh * 1000;
    ev_unmet_wh_ += std::max(trip_wh - ev_soc_wh_, 0.0);
    ev_soc_wh_ = std::max(ev_soc_wh_ - trip_wh, 0.0);
  }
  away_ = away;
  return !away && ev_soc_wh_ < ev_capacity_wh_;
}

HousePowers HouseModel::advance(TimePoint t, Duration dt, double ev_amps, double dimmer_pct, bool relay_on) {
  const double hours = to_seconds(dt) / 3600;
  const std::int64_t m = minute_index(t);
  HousePowers p;
  if (hours <= 0) return p;
  p.ev_w = std::clamp(ev_amps * s_.ev_w_per_a, 0.0, (ev_capacity_wh_ - ev_soc_wh_) / hours);
  ev_soc_wh_ += p.ev_w * hours;
  if (tank_c_ < kThermostatOnC) thermostat_ = true;
  if (tank_c_ >= kThermostatOffC) thermostat_ = false;
  p.heater_w = thermostat_ ? s_.heater_w : std::clamp(dimmer_pct, 0.0, 100.0) / 100.0 * s_.heater_w;
  p.relay_w = relay_on ? s_.relay_load_w : 0.0;
  p.pv_w = pv_.power_w(sun_.ghi_w_m2(m), sun_.ambient_c(m));
  p.house_w = load_.power_w(m);
  p.net_w = p.pv_w - p.house_w - p.ev_w - p.heater_w - p.relay_w;
  if (s_.battery_kwh > 0) {  // self-consumption: the export charges it, the import discharges it
    const double eta = s_.battery_efficiency, full_wh = s_.battery_kwh * 1000;
    const double charge_max = std::min(s_.battery_w, (full_wh - battery_wh_) / eta / hours);
    const double discharge_max = std::min(s_.battery_w, battery_wh_ * eta / hours);
    p.battery_w = std::clamp(p.net_w, -discharge_max, charge_max);
    battery_wh_ += p.battery_w > 0 ? p.battery_w * eta * hours : p.battery_w / eta * hours;
    battery_wh_ = std::clamp(battery_wh_, 0.0, full_wh);
    p.net_w -= p.battery_w;
  }

  const int minute = local_time(t, utc_offset_).minute_of_day;
  const bool drawing = (minute >= 7 * 60 && minute < 7 * 60 + 30) || (minute >= 20 * 60 && minute < 20 * 60 + 30);
  const double usage_w = drawing && tank_c_ > kColdWaterC ? kHotWaterDrawW : 0.0;
  tank_c_ += (p.heater_w - usage_w - kLossWPerK * (tank_c_ - kRoomC)) * hours / kTankWhPerK;
  return p;
}

}  // namespace wattshare::surplus
