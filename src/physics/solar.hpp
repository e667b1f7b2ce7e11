// Sunlight for a community: solar geometry from location and time, Haurwitz clear-sky global
// horizontal irradiance, and a seeded cloud model (a clearness index per day, correlated with the
// day before, plus smooth intra-day variation). Stateless in time: the irradiance of any minute
// depends only on (location, seed, minute), whatever order the simulation asks in.
//   SolarResource sun{Location{26.46, 127.83, 9}, WeatherParams{.seed = 1}};
//   double ghi = sun.ghi_w_m2(minute_index);
#pragma once

#include <cstdint>

#include "core/time.hpp"

namespace wattshare {

struct Location {
  double latitude_deg = 26.46;    // OIST, Okinawa
  double longitude_deg = 127.83;
  double utc_offset_h = 9;        // local standard time of the community
};

struct WeatherParams {
  std::uint64_t seed = 1;
  double overcast_day_share = 0.25;  // share of days with clearness 0.15-0.45
  double partly_day_share = 0.35;    // share of days with clearness 0.45-0.85; the rest are clear
  double mean_temperature_c = 23;
  double seasonal_amplitude_c = 5;   // warmest around day 200
  double daily_amplitude_c = 3;      // warmest around 15:00
};

// Minutes since 1970-01-01T00:00Z: the index of the minute containing t.
inline std::int64_t minute_index(TimePoint t) {
  return std::chrono::floor<std::chrono::minutes>(t).time_since_epoch().count();
}

class SolarResource {
 public:
  SolarResource(const Location& where, const WeatherParams& weather);

  // Cosine of the solar zenith angle at the middle of minute `m` (negative at night).
  [[nodiscard]] double cos_zenith(std::int64_t m) const;
  // Haurwitz clear-sky GHI for a cos(zenith) [W/m²].
  static double clear_sky_ghi_w_m2(double cos_z);
  // Cloud transmission in [0.05, 1] for minute m.
  [[nodiscard]] double clearness(std::int64_t m) const;
  // GHI with clouds [W/m²].
  [[nodiscard]] double ghi_w_m2(std::int64_t m) const;
  [[nodiscard]] double ambient_c(std::int64_t m) const;
  // Day of year 1..366 and local minute of day for minute m.
  [[nodiscard]] int day_of_year(std::int64_t m) const;
  [[nodiscard]] const Location& location() const { return where_; }

 private:
  double day_clearness(std::int64_t local_day) const;
  Location where_;
  WeatherParams weather_;
  std::int64_t offset_min_;
};

// PVWatts-style DC output of `kwp` of panels at irradiance g and ambient temperature.
struct PvArray {
  double kwp = 3.0;
  double system_losses = 0.14;     // wiring, soiling, mismatch, conversion to the battery
  double temperature_coeff_per_c = -0.004;
  double noct_rise_c_per_w_m2 = 0.03;
  [[nodiscard]] double power_w(double ghi_w_m2, double ambient_c) const {
    if (ghi_w_m2 <= 0) return 0;
    const double cell_c = ambient_c + noct_rise_c_per_w_m2 * ghi_w_m2;
    return kwp * ghi_w_m2 * (1.0 - system_losses) * (1.0 + temperature_coeff_per_c * (cell_c - 25.0));
  }
};

}  // namespace wattshare
