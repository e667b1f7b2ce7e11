#include "physics/solar.hpp"

#include <algorithm>
#include <cmath>

#include "core/random.hpp"

namespace wattshare {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kDeg = kPi / 180.0;
constexpr std::int64_t kKnotMinutes = 20;

double smoothstep(double x) { return x * x * (3.0 - 2.0 * x); }

}  // namespace

SolarResource::SolarResource(const Location& where, const WeatherParams& weather)
    : where_(where),
      weather_(weather),
      offset_min_(static_cast<std::int64_t>(std::lround(where.utc_offset_h * 60.0))) {}

int SolarResource::day_of_year(std::int64_t m) const {
  using namespace std::chrono;
  const std::int64_t local_day = floor_div(m + offset_min_, 1440);
  const sys_days d{days{local_day}};
  const year_month_day ymd{d};
  const sys_days jan1{ymd.year() / January / 1};
  return static_cast<int>((d - jan1).count()) + 1;
}

double SolarResource::cos_zenith(std::int64_t m) const {
  const int n = day_of_year(m);
  const double local_min = static_cast<double>(minute_of_day(m + offset_min_)) + 0.5;
  const double b = 2.0 * kPi * (n - 81) / 364.0;
  const double eot_min = 9.87 * std::sin(2 * b) - 7.53 * std::cos(b) - 1.5 * std::sin(b);
  const double solar_min =
      local_min + 4.0 * (where_.longitude_deg - 15.0 * where_.utc_offset_h) + eot_min;
  const double hour_angle = (solar_min / 60.0 - 12.0) * 15.0 * kDeg;
  const double decl = 23.45 * kDeg * std::sin(2.0 * kPi * (284 + n) / 365.0);
  const double lat = where_.latitude_deg * kDeg;
  return std::sin(lat) * std::sin(decl) + std::cos(lat) * std::cos(decl) * std::cos(hour_angle);
}

double SolarResource::clear_sky_ghi_w_m2(double cos_z) {
  if (cos_z <= 0.01) return 0;
  return 1098.0 * cos_z * std::exp(-0.059 / cos_z);
}

double SolarResource::day_clearness(std::int64_t local_day) const {
  const double u = uniform01(hash_key(weather_.seed, 0x50a7, static_cast<std::uint64_t>(local_day)));
  const double po = weather_.overcast_day_share;
  const double pp = weather_.partly_day_share;
  if (u < po) return 0.15 + 0.30 * (u / po);
  if (u < po + pp) return 0.45 + 0.40 * ((u - po) / pp);
  return 0.85 + 0.15 * ((u - po - pp) / std::max(1e-9, 1.0 - po - pp));
}

double SolarResource::clearness(std::int64_t m) const {
  const std::int64_t local = m + offset_min_;
  const std::int64_t day = floor_div(local, 1440);
  // Weather persists: today's clearness leans on yesterday's.
  const double k = 0.65 * day_clearness(day) + 0.35 * day_clearness(day - 1);
  // Partly cloudy days fluctuate most; clear and overcast days little.
  const double amplitude = 0.45 * (1.0 - std::abs(2.0 * k - 1.0));
  const std::int64_t knot = floor_div(local, kKnotMinutes);
  const double frac = static_cast<double>(local - knot * kKnotMinutes) / kKnotMinutes;
  auto knot_value = [&](std::int64_t kk) {
    return 2.0 * uniform01(hash_key(weather_.seed, 0xc10d, static_cast<std::uint64_t>(kk))) - 1.0;
  };
  const double a = knot_value(knot), b = knot_value(knot + 1);
  const double noise = a + (b - a) * smoothstep(frac);
  return std::clamp(k + amplitude * noise, 0.05, 1.0);
}

double SolarResource::ghi_w_m2(std::int64_t m) const {
  return clear_sky_ghi_w_m2(cos_zenith(m)) * clearness(m);
}

double SolarResource::ambient_c(std::int64_t m) const {
  const int n = day_of_year(m);
  const double hour = static_cast<double>(minute_of_day(m + offset_min_)) / 60.0;
  return weather_.mean_temperature_c +
         weather_.seasonal_amplitude_c * std::cos(2.0 * kPi * (n - 200) / 365.0) +
         weather_.daily_amplitude_c * std::cos(2.0 * kPi * (hour - 15.0) / 24.0);
}

}  // namespace wattshare
