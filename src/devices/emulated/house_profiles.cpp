#include "devices/emulated/house_profiles.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

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
  double minute_of_day = 0;
  for (std::size_t i = 0; i < houses_.size(); ++i) {
    const House& h = houses_[i];
    if (h.hourly != nullptr) {
      if (doy < 0) {
        doy = sun_.day_of_year(m);
        const auto local = m + static_cast<std::int64_t>(std::lround(utc_offset_h_ * 60));
        minute_of_day = static_cast<double>(((local % 1440) + 1440) % 1440);
      }
      pv_w_[i] = h.scale * h.hourly->power_w(doy, minute_of_day);
    } else {
      pv_w_[i] = h.array.power_w(ghi, ambient) * h.scale;
    }
    load_w_[i] = h.load->power_w(m);
  }
}

double pooled_bound_self_sufficiency(const CommunitySpec& spec, TimePoint start, TimePoint end) {
  HouseProfiles p{spec};
  double capacity = 0, stored = 0;
  for (const auto& u : spec.units) {
    capacity += u.battery.capacity_wh;
    stored += u.battery.capacity_wh * u.battery.initial_rsoc_pct / 100.0;
  }
  double load_wh = 0, import_wh = 0;
  for (TimePoint t = start; t < end;) {
    const std::int64_t m = minute_index(t);
    const TimePoint next = std::min(end, TimePoint{std::chrono::minutes{m + 1}});
    const double h = to_seconds(next - t) / 3600.0;
    p.at_minute(m);
    double pv = 0, load = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
      pv += p.pv_w(i);
      load += p.load_w(i);
    }
    stored += (pv - load) * h;
    if (stored < 0) {
      import_wh -= stored;
      stored = 0;
    }
    stored = std::min(stored, capacity);
    load_wh += load * h;
    t = next;
  }
  return load_wh > 0 ? 1.0 - import_wh / load_wh : 0.0;
}

}  // namespace wattshare
