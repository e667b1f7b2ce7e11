// A household's electric car, for the flexible loads of a house (issue 18): on workdays it leaves
// around 07:30 and comes back around 18:00, at weekends it makes a midday trip every other day
// (times and trip energy seeded per day); at home it is plugged in. Before each departure it
// needs the next trip's energy plus a reserve. Baseline: it charges at full power on arrival
// until full ("charge on arrival"). Routed: it takes what surplus is offered, and charges from the
// mains only when it must to leave with what it needs. A car that leaves short is counted.
// Energy: charged = battery gained + trips, exactly (shortfalls are not driven).
//   EvModel car{{.battery_kwh = 40}};  EvStep s = car.step(local_time, minutes(1), surplus_w, false);
#pragma once

#include <cstdint>

#include "core/time.hpp"

namespace wattshare {

struct EvParams {
  double battery_kwh = 40;
  double max_w = 7400;          // the charger (32 A on one phase)
  double workday_kwh = 8;       // a workday's commute, ±40 % seeded per day
  double weekend_kwh = 6;       // a weekend trip, when there is one
  double reserve_kwh = 4;       // wanted in the battery beyond the next trip
  double start_soc = 0.6;
  std::uint64_t seed = 1;
};

// Mean powers over one step [W].
struct EvStep {
  bool plugged = false;
  double mains_w = 0;    // charging it must do (baseline: all of it)
  double surplus_w = 0;  // what it took of `offered_w`
  [[nodiscard]] double total_w() const { return mains_w + surplus_w; }
};

class EvModel {
 public:
  explicit EvModel(const EvParams& p);

  // One step of `dt` from `local` (the local clock's time, as if it were UTC; steps may be
  // shorter than a minute). `baseline`: charge on arrival at full power, from the mains;
  // otherwise take `offered_w` and the mains only when it must.
  EvStep step(TimePoint local, Duration dt, double offered_w, bool baseline);

  [[nodiscard]] double soc() const { return energy_wh_ / capacity_wh_; }
  [[nodiscard]] double energy_wh() const { return energy_wh_; }
  // What charging could still put in, while it is at home [Wh]; 0 while it is away.
  [[nodiscard]] double room_wh() const { return away_ ? 0.0 : capacity_wh_ - energy_wh_; }
  // What it still lacks for its next departure from `local` on (trip and reserve) [Wh].
  [[nodiscard]] double missing_wh(TimePoint local) const;
  [[nodiscard]] double driven_wh() const { return driven_wh_; }
  [[nodiscard]] double shortfall_wh() const { return shortfall_wh_; }  // needed at departure, not there
  [[nodiscard]] int departures() const { return departures_; }
  [[nodiscard]] const EvParams& params() const { return p_; }

  // The day's trip: when it leaves and comes back (local minute of day), and its energy; none
  // (leave == back) on a weekend day without one.
  struct Trip {
    int leave_min = 0, back_min = 0;
    double wh = 0;
  };
  [[nodiscard]] Trip trip_on(std::int64_t day) const;

 private:
  // The next departure from `local_minute` on (its minute) and the energy wanted then.
  struct Departure {
    std::int64_t at_minute = 0;
    double wanted_wh = 0;
  };
  [[nodiscard]] Departure next_departure(std::int64_t local_minute) const;

  EvParams p_;
  double capacity_wh_;
  double energy_wh_;
  double driven_wh_ = 0, shortfall_wh_ = 0;
  int departures_ = 0;
  bool away_ = false;
};

}  // namespace wattshare
