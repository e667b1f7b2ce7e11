// A hot-water tank with a resistive element, for the flexible loads of a house (issue 18): the
// water's heat (fully mixed, 1.163 Wh per litre and kelvin), its standing loss to the room, the
// household's hot-water draws (morning and evening, their size seeded per day), and the
// element's own thermostat. Baseline, as most Japanese and French homes run it: the element heats
// from the mains in the night window (23:00–07:00) up to `night_setpoint_c`, and at any hour below
// `min_c`. Routed surplus (`offered_w`) heats it further, never beyond `max_c`.
// Each step conserves energy exactly: stored after − stored before = element − draw − loss.
//   WaterHeater tank{{.volume_l = 200, .element_w = 2000}};
//   WaterHeaterStep s = tank.step(local_minute, minutes(1), surplus_w);
#pragma once

#include <algorithm>
#include <cstdint>

#include "core/time.hpp"

namespace wattshare {

struct WaterHeaterParams {
  double volume_l = 200;
  double element_w = 2000;
  double loss_w_per_k = 1.3;        // ≈ 52 W at 60 °C in a 20 °C room
  double room_c = 20, cold_c = 15;  // around the tank; the mains water that replaces a draw
  double min_c = 40;                // the element's thermostat switches on below (off 5 K above)
  double night_setpoint_c = 60;     // the night's mains heating stops here
  double max_c = 65;                // no heating beyond, surplus or not
  double daily_draw_kwh = 4;        // hot water used per day, on average (±30 % seeded per day)
  int night_from_min = 23 * 60, night_to_min = 7 * 60;
  std::uint64_t seed = 1;
};

// Mean powers over one step [W].
struct WaterHeaterStep {
  double mains_w = 0;    // the baseline heating (night window, thermostat)
  double surplus_w = 0;  // what the element took of `offered_w`
  double draw_w = 0, loss_w = 0;
  [[nodiscard]] double element_w() const { return mains_w + surplus_w; }
};

class WaterHeater {
 public:
  explicit WaterHeater(const WaterHeaterParams& p, double start_c = 60);

  // One step of `dt` from local minute `local_minute` (minutes since the epoch in local time).
  WaterHeaterStep step(std::int64_t local_minute, Duration dt, double offered_w);

  [[nodiscard]] double temperature_c() const { return t_c_; }
  // Heat above the cold mains water [Wh].
  [[nodiscard]] double stored_wh() const { return (t_c_ - p_.cold_c) * capacity_wh_per_k_; }
  // Whether surplus would heat it now (below max_c).
  [[nodiscard]] bool can_take() const { return t_c_ < p_.max_c - 1e-9; }
  // Heat the night's mains heating would put in now, up to night_setpoint_c [Wh].
  [[nodiscard]] double below_setpoint_wh() const {
    return std::max(p_.night_setpoint_c - t_c_, 0.0) * capacity_wh_per_k_;
  }
  // Of a Wh of heat put in at `local_minute`, what is still there when it is next used (the next
  // draw, or the night window whose mains heating it spares): the rest is the extra standing loss
  // of a hotter tank in between.
  [[nodiscard]] double heat_kept_share(std::int64_t local_minute) const;
  [[nodiscard]] const WaterHeaterParams& params() const { return p_; }

 private:
  [[nodiscard]] double draw_w(std::int64_t local_minute) const;

  WaterHeaterParams p_;
  double capacity_wh_per_k_;
  double t_c_;
  bool thermostat_on_ = false;
};

}  // namespace wattshare
