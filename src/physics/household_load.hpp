// A synthetic household consumption profile: a daily shape per day type (workday, Saturday,
// Sunday) built from morning, midday and evening peaks over a base load, the BDEW H0 seasonal
// dynamisation factor, a per-house time shift, seeded minute noise and Poisson appliance spikes
// (kettle, oven, washer) that give individual houses the spikiness averages lack. The profile is
// scaled so that a year sums to `annual_kwh`. Stateless in time, like the PV.
//   HouseholdLoad load{LoadParams{.annual_kwh = 4500, .seed = 7}, 9.0};
//   double w = load.power_w(minute_index(t));
#pragma once

#include <array>
#include <cstdint>

namespace wattshare {

struct LoadParams {
  double annual_kwh = 4500;
  double shift_min = 0;          // the house lives this much later than the template [min]
  double noise_sd = 0.15;        // relative minute-to-minute noise
  double spikes_per_day = 4;     // appliance events per day
  double spike_min_w = 800;
  double spike_max_w = 2500;
  std::uint64_t seed = 1;
};

class HouseholdLoad {
 public:
  HouseholdLoad(const LoadParams& p, double utc_offset_h);

  // Average power over minute m (minutes since the epoch) [W].
  [[nodiscard]] double power_w(std::int64_t m) const;
  // The H0 dynamisation factor for day of year t (1..366).
  static double h0_dynamisation(int day_of_year);

 private:
  static constexpr int kSlots = 96;  // quarter hours
  double shape(int day_type, double minute_of_day) const;
  double spike_w(std::int64_t local_minute) const;

  LoadParams p_;
  std::int64_t offset_min_;
  std::array<std::array<double, kSlots>, 3> shape_{};  // relative, per day type
  double scale_w_ = 0;                                 // relative shape unit -> W
};

}  // namespace wattshare
