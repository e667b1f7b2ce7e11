// The uncontrolled inputs of every house, minute by minute: PV output (clear-sky model with the
// community's weather, or an hourly replay) and household load. Shared by the community physics
// and by the pooled-battery bound, so both see exactly the same profiles.
//   HouseProfiles p{spec};  p.at_minute(m);  double w = p.pv_w(i);
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "config/community.hpp"
#include "physics/hourly_profile.hpp"
#include "physics/household_load.hpp"
#include "physics/solar.hpp"

namespace wattshare {

class HouseProfiles {
 public:
  // Reads hourly PV files; a missing one throws std::runtime_error naming it.
  explicit HouseProfiles(const CommunitySpec& spec);
  // Computes every house's PV and load for minute m (minutes since the epoch).
  void at_minute(std::int64_t m);
  [[nodiscard]] double pv_w(std::size_t i) const { return pv_w_[i]; }
  [[nodiscard]] double load_w(std::size_t i) const { return load_w_[i]; }
  [[nodiscard]] std::size_t size() const { return pv_w_.size(); }

 private:
  struct House {
    PvArray array;
    const HourlyProfile* hourly = nullptr;
    double scale = 1;
    std::unique_ptr<HouseholdLoad> load;
  };
  SolarResource sun_;
  double utc_offset_h_;
  std::vector<std::unique_ptr<HourlyProfile>> profiles_;
  std::vector<House> houses_;
  std::vector<double> pv_w_, load_w_;
};

// The self-sufficiency of all batteries pooled into one (all capacities together, starting with
// all initial charges) on the same profiles: what perfect sharing would reach.
struct PooledBounds {
  double lossless = 0;  // perfect cells, no standing losses: the upper bound for sharing
  double hardware = 0;  // the houses' own cells and standing losses (system, idle converters),
                        // energy moved between houses for free: the bound on this hardware
};
// Both bounds in one pass over the profiles.
PooledBounds pooled_bounds(const CommunitySpec& spec, TimePoint start, TimePoint end);

}  // namespace wattshare
