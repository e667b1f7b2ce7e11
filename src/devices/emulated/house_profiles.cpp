#include "devices/emulated/house_profiles.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "physics/battery.hpp"

namespace wattshare {

HouseProfiles::HouseProfiles(const CommunitySpec& spec)
    : sun_(spec.location, spec.weather), utc_offset_h_(spec.location.utc_offset_h) {
  for (const auto& u : spec.units) {
    House h;
    h.array.kwp = u.pv.kwp;
    h.scale = u.pv.scale;
    h.load = std::make_unique<HouseholdLoad>(u.load, spec.location.utc_offset_h);
    if (!u.pv.hourly_csv.empty()) {
      auto profile = HourlyProfile::load(u.pv.hourly_csv);
      if (!profile) throw std::runtime_error(profile.error().message);
      profiles_.push_back(std::make_unique<HourlyProfile>(std::move(*profile)));
      h.hourly = profiles_.back().get();
    }
    houses_.push_back(std::move(h));
  }
  pv_w_.assign(houses_.size(), 0.0);
  load_w_.assign(houses_.size(), 0.0);
}

void HouseProfiles::at_minute(std::int64_t m) {
  const double ghi = sun_.ghi_w_m2(m);
  const double ambient = ghi > 0 ? sun_.ambient_c(m) : 0.0;
  int doy = -1;
  double day_minute = 0;
  for (std::size_t i = 0; i < houses_.size(); ++i) {
    const House& h = houses_[i];
    if (h.hourly != nullptr) {
      if (doy < 0) {
        doy = sun_.day_of_year(m);
        const auto local = m + static_cast<std::int64_t>(std::lround(utc_offset_h_ * 60));
        day_minute = static_cast<double>(minute_of_day(local));
      }
      pv_w_[i] = h.scale * h.hourly->power_w(doy, day_minute);
    } else {
      pv_w_[i] = h.array.power_w(ghi, ambient) * h.scale;
    }
    load_w_[i] = h.load->power_w(m);
  }
}

namespace {

enum class PoolLosses { kLossless, kHardware };

// All batteries as one. Lossless: perfect cells, empty to full, no power limit. Hardware: the
// houses' own cells (capacity-weighted efficiencies, BMS windows and self-discharge, summed power
// limits); the standing losses (system, idle converters) are added by the caller.
BatteryParams pooled_battery(const CommunitySpec& spec, PoolLosses losses) {
  BatteryParams pool;
  pool.capacity_wh = 0;
  double stored = 0, eta_in = 0, eta_out = 0, floor_wh = 0, ceiling_wh = 0, self_pct = 0;
  pool.max_charge_w = pool.max_discharge_w = 0;
  for (const auto& u : spec.units) {
    const BatteryParams& b = u.battery;
    pool.capacity_wh += b.capacity_wh;
    stored += b.capacity_wh * std::clamp(b.initial_rsoc_pct, 0.0, 100.0) / 100.0;
    eta_in += b.capacity_wh * b.charge_efficiency;
    eta_out += b.capacity_wh * b.discharge_efficiency;
    floor_wh += b.capacity_wh * b.floor_rsoc_pct / 100.0;
    ceiling_wh += b.capacity_wh * b.ceiling_rsoc_pct / 100.0;
    self_pct += b.capacity_wh * b.self_discharge_pct_per_month;
    pool.max_charge_w += b.max_charge_w;
    pool.max_discharge_w += b.max_discharge_w;
  }
  const double c = pool.capacity_wh;
  if (c <= 0) return pool;
  pool.initial_rsoc_pct = 100.0 * stored / c;
  if (losses == PoolLosses::kLossless) {
    pool.charge_efficiency = pool.discharge_efficiency = 1;
    pool.floor_rsoc_pct = 0;
    pool.ceiling_rsoc_pct = 100;
    pool.self_discharge_pct_per_month = 0;
    pool.max_charge_w = pool.max_discharge_w = std::numeric_limits<double>::infinity();
    return pool;
  }
  pool.charge_efficiency = eta_in / c;
  pool.discharge_efficiency = eta_out / c;
  pool.floor_rsoc_pct = 100.0 * floor_wh / c;
  pool.ceiling_rsoc_pct = 100.0 * ceiling_wh / c;
  pool.self_discharge_pct_per_month = self_pct / c;
  return pool;
}

// One pooled battery and what the utility had to supply beside it.
struct Pool {
  Battery battery;
  double standing_w = 0;
  double import_wh = 0;

  void exchange(double pv_w, double load_w, double dt_s) {
    const double net_w = pv_w - load_w - standing_w;
    const BatteryFlow flow = battery.exchange(net_w, dt_s);
    import_wh += std::max(0.0, flow.terminal_w - net_w) * dt_s / 3600.0;
  }
};

}  // namespace

PooledBounds pooled_bounds(const CommunitySpec& spec, TimePoint start, TimePoint end) {
  HouseProfiles p{spec};
  Pool lossless{Battery{pooled_battery(spec, PoolLosses::kLossless)}};
  Pool hardware{Battery{pooled_battery(spec, PoolLosses::kHardware)}};
  for (const auto& u : spec.units) hardware.standing_w += u.system_loss_w + u.dcdc.idle_loss_w;
  double load_wh = 0;
  for (TimePoint t = start; t < end;) {
    const std::int64_t m = minute_index(t);
    const TimePoint next = std::min(end, TimePoint{std::chrono::minutes{m + 1}});
    const double dt_s = to_seconds(next - t);
    p.at_minute(m);
    double pv = 0, load = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
      pv += p.pv_w(i);
      load += p.load_w(i);
    }
    lossless.exchange(pv, load, dt_s);
    hardware.exchange(pv, load, dt_s);
    load_wh += load * dt_s / 3600.0;
    t = next;
  }
  if (load_wh <= 0) return {};
  return {1.0 - lossless.import_wh / load_wh, 1.0 - hardware.import_wh / load_wh};
}

}  // namespace wattshare
