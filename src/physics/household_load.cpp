#include "physics/household_load.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/random.hpp"
#include "core/time.hpp"

namespace wattshare {
namespace {


double bump(double hour, double center, double width) {
  // Periodic over the day so a peak near midnight wraps around.
  double d = std::fmod(std::abs(hour - center), 24.0);
  d = std::min(d, 24.0 - d);
  return std::exp(-0.5 * (d / width) * (d / width));
}

// Relative daily shapes: 0 workday, 1 Saturday, 2 Sunday.
double template_shape(int day_type, double hour) {
  const double base = 0.30;
  switch (day_type) {
    case 0:
      return base + 0.55 * bump(hour, 7.0, 0.9) + 0.25 * bump(hour, 12.5, 1.2) +
             1.00 * bump(hour, 19.5, 1.8) + 0.30 * bump(hour, 22.5, 1.0);
    case 1:
      return base + 0.45 * bump(hour, 8.5, 1.2) + 0.55 * bump(hour, 12.5, 1.6) +
             0.95 * bump(hour, 19.0, 2.0) + 0.30 * bump(hour, 22.5, 1.0);
    default:
      return base + 0.40 * bump(hour, 9.0, 1.3) + 0.70 * bump(hour, 12.5, 1.5) +
             0.90 * bump(hour, 18.5, 2.0) + 0.25 * bump(hour, 22.0, 1.0);
  }
}

// Weekday of a local day number (days since 1970-01-01): 0 Sunday .. 6 Saturday.
int weekday_of(std::int64_t local_day) {
  return static_cast<int>(std::chrono::weekday{std::chrono::sys_days{std::chrono::days{local_day}}}
                              .c_encoding());
}

int day_type_of(std::int64_t local_day) {
  const int wd = weekday_of(local_day);
  return wd == 0 ? 2 : (wd == 6 ? 1 : 0);
}

int day_of_year_of(std::int64_t local_day) {
  using namespace std::chrono;
  const sys_days d{days{local_day}};
  const year_month_day ymd{d};
  return static_cast<int>((d - sys_days{ymd.year() / January / 1}).count()) + 1;
}

}  // namespace

double HouseholdLoad::h0_dynamisation(int t) {
  const double x = t;
  return -3.92e-10 * x * x * x * x + 3.2e-7 * x * x * x - 7.02e-5 * x * x + 2.1e-3 * x + 1.24;
}

HouseholdLoad::HouseholdLoad(const LoadParams& p, double utc_offset_h)
    : p_(p), offset_min_(static_cast<std::int64_t>(std::lround(utc_offset_h * 60.0))) {
  for (int type = 0; type < 3; ++type)
    for (int s = 0; s < kSlots; ++s) shape_[type][s] = template_shape(type, (s + 0.5) / 4.0);
  // Expected spike energy per day: events x mean truncated duration x mean power.
  double mean_minutes = 0;
  for (int start = 0; start < 15; ++start)
    for (int dur = 3; dur < 15; ++dur) mean_minutes += std::min(dur, 15 - start);
  mean_minutes /= 15.0 * 12.0;
  const double spike_wh_per_day =
      p.spikes_per_day * mean_minutes / 60.0 * 0.5 * (p.spike_min_w + p.spike_max_w);
  // Energy of one relative unit over a reference year (2021: 365 days, starts on a Friday).
  const std::int64_t first = std::chrono::sys_days{std::chrono::year{2021} / 1 / 1}
                                 .time_since_epoch()
                                 .count();
  double unit_wh = 0;
  for (std::int64_t d = first; d < first + 365; ++d) {
    double day_sum = 0;
    for (double v : shape_[day_type_of(d)]) day_sum += v * 0.25;
    unit_wh += day_sum * h0_dynamisation(day_of_year_of(d));
  }
  const double target_wh = std::max(0.0, p.annual_kwh * 1000.0 - 365.0 * spike_wh_per_day);
  scale_w_ = target_wh / unit_wh;
}

double HouseholdLoad::shape(int day_type, double minute_of_day) const {
  // Linear interpolation between quarter-hour centres, wrapping at midnight.
  const double pos = minute_of_day / 15.0 - 0.5;
  const double fl = std::floor(pos);
  const int i0 = (static_cast<int>(fl) % kSlots + kSlots) % kSlots;
  const int i1 = (i0 + 1) % kSlots;
  const double f = pos - fl;
  return shape_[day_type][i0] * (1.0 - f) + shape_[day_type][i1] * f;
}

double HouseholdLoad::spike_w(std::int64_t local_minute) const {
  const std::int64_t slot = floor_div(local_minute, 15);
  const std::uint64_t h = hash_key(p_.seed, 0x5b1c, static_cast<std::uint64_t>(slot));
  if (uniform01(h) >= p_.spikes_per_day / 96.0) return 0;
  const int start = static_cast<int>(uniform01(mix64(h ^ 1)) * 15.0);
  const int dur = 3 + static_cast<int>(uniform01(mix64(h ^ 2)) * 12.0);
  const int at = static_cast<int>(local_minute - slot * 15);
  if (at < start || at >= start + dur) return 0;
  return p_.spike_min_w + (p_.spike_max_w - p_.spike_min_w) * uniform01(mix64(h ^ 3));
}

double HouseholdLoad::power_w(std::int64_t m) const {
  const std::int64_t local = m + offset_min_;
  // The house's own rhythm: its template is shifted later by shift_min.
  const double shifted = static_cast<double>(local) - p_.shift_min;
  const auto shifted_min = static_cast<std::int64_t>(std::floor(shifted));
  const std::int64_t day = floor_div(shifted_min, 1440);
  const double minute_of_day = shifted - static_cast<double>(day * 1440) + 0.5;
  const double base = scale_w_ * shape(day_type_of(day), minute_of_day) *
                      h0_dynamisation(day_of_year_of(day));
  const double noise = std::max(0.0, 1.0 + p_.noise_sd * normal01(hash_key(p_.seed, 0x401d, static_cast<std::uint64_t>(m))));
  return base * noise + spike_w(local);
}

}  // namespace wattshare
