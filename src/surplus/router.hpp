// PV-surplus routing for one house (reference pv-surplus.md §1, §3): every cycle, the surplus —
// export at the grid meter plus what our controlled loads draw now, minus a reserve — is shared
// among the loads in priority order: the EV charger in whole amperes (min 6 A, enable and disable
// delays as evcc), then the water-heater dimmer (0–100 %, it takes what the EV's 1 A steps leave),
// then an on/off relay with minimum on and off times. Modes per load: off, eco (surplus only),
// boost (all now) and scheduled (a window on chosen days). A missing or nonsense reading holds
// the last decision; a meter silent or nonsensical longer than `stale_after` sends every load to
// its safe state (EV to its safe current,
// dimmer 0 %, relay off) until good readings return. Pure and allocation-free: the caller gives
// the time and measurements, the router gives set-points.
//   Router router{settings};  Outputs o = router.step(inputs);  ev.set(o.ev_amps);
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/time.hpp"
#include "core/time_zone.hpp"

namespace wattshare::surplus {

// Per load: off; eco (surplus only, also called pv); boost (all now, also called now); minpv (the
// EV's minimum current always, more from the surplus; for the dimmer and relay, eco); scheduled
// (only inside its schedule windows). A load's schedule windows, when the file gives them, add
// their set-point inside the window on top of eco, minpv and boost: seed 003's Eco is eco with
// "16 A from 21:00 to 07:00".
enum class Mode { kOff, kEco, kBoost, kScheduled, kMinPv };
std::string_view to_string(Mode m);
[[nodiscard]] std::optional<Mode> parse_mode(std::string_view s);
// What parse_mode takes, for error messages.
inline constexpr std::string_view kModeChoices = "off, eco or pv, boost or now, minpv, scheduled";

// Local clock-face time: the minute of the day and the weekday (0 = Monday).
struct LocalTime {
  int minute_of_day = 0;
  int weekday = 0;
};
LocalTime local_time(TimePoint t, Duration utc_offset);

// A weekly window in local time, e.g. 21:00–07:00 on weekdays (it may cross midnight).
struct Window {
  int from_min = 21 * 60;
  int to_min = 7 * 60;
  std::uint8_t days = 0x7F;  // bit 0 = Monday … bit 6 = Sunday: the day the window starts
  [[nodiscard]] bool contains(TimePoint t, Duration utc_offset) const;
};

// A load's schedule: up to four weekly windows (seed 003's "16 A 21:00–07:00" and a weekend
// one), each adding its set-point inside it on top of any mode but off (the EV's `amps`; the
// dimmer at full power, the relay on). Fixed size: the router stays allocation-free.
struct Schedule {
  struct Entry {
    Window window;
    double amps = 16;  // the EV's; unused by the dimmer and the relay
  };
  std::array<Entry, 4> entries{};
  std::size_t count = 0;
  // The largest set-point of the windows `t` is in (the EV's amps; 1 for the others), or nullopt.
  [[nodiscard]] std::optional<double> active(TimePoint t, Duration utc_offset) const;
};

struct EvSettings {
  Mode mode = Mode::kEco;
  double volts = 230;
  int phases = 3;       // 230 V × 3 = 690 W per ampere, as the seed's charger
  double min_a = 6, max_a = 16;
  Duration enable_delay = minutes(1), disable_delay = minutes(3);
  // The current changes at most this often (evcc adjusts a charger every cycle of 30 s): a car
  // takes seconds to follow, and the meter shows it later still.
  Duration step = seconds(10);
  double safe_a = 0;    // when the meter cannot be trusted
  // On top of the other modes; kScheduled charges only inside it (21:00–07:00 at max_a when the
  // file gives no schedule).
  Schedule schedule;
};

struct DimmerSettings {
  Mode mode = Mode::kEco;
  double rated_w = 0;   // 0: no dimmer
  double max_temperature_c = 65, restart_below_c = 60;
  Schedule schedule;
};

struct RelaySettings {
  Mode mode = Mode::kEco;
  double rated_w = 0;   // 0: no relay
  Duration min_on = minutes(5), min_off = minutes(5);
  Schedule schedule;
};

// The home battery, as evcc weighs it: below `priority_soc` (%) it charges first, so what it
// takes is not surplus; from there on the loads may take what it would have charged; from
// `buffer_soc` on (when given) they may also keep running from it. Its discharge otherwise
// counts as import, so no load drains it.
struct BatterySettings {
  double priority_soc = 50;
  std::optional<double> buffer_soc;
};

struct RouterSettings {
  double reserve_w = 50;
  Duration stale_after = seconds(30);
  // A loop that settles with a meter one or two cycles late: a changed dimmer set-point is held
  // `settle` (longer than the meter's lag) so the next correction sees its effect, and a
  // correction smaller than `dead_band_w` is not made (seed 004's delta). Without them, the whole
  // correction every cycle on a late meter swings between two set-points for ever.
  Duration settle = seconds(3);
  double dead_band_w = 50;
  TimeZone zone = TimeZone::fixed(hours(9));  // the schedules' clock ("time_zone" in the file)
  EvSettings ev;
  DimmerSettings dimmer;
  RelaySettings relay;
  BatterySettings battery;
};

struct Inputs {
  TimePoint time;
  std::optional<double> grid_export_w;  // > 0 exporting; nullopt: meter unreachable
  bool ev_connected = false;
  // No car known, but a charger that may have one (a TWC in 00: "may or may not be plugged
  // in"): the EV is offered current to find out, and only what it draws is kept from the loads
  // after it.
  bool ev_probe = false;
  double ev_actual_a = 0;       // per phase, as the charger measures it
  // The phases the car draws on, when the charger reports per-phase currents (a 1-phase car on a
  // 3-phase charger draws a third of what the configured phases say); else EvSettings::phases.
  std::optional<int> ev_phases;
  double dimmer_power_w = 0;    // what the element draws now
  std::optional<double> water_temperature_c;
  bool relay_on = false;        // the relay's actual state
  // The home battery, when the site has one: its power (> 0 charging) and state of charge (%).
  std::optional<double> battery_w, battery_soc_pct;
};

struct Outputs {
  double ev_amps = 0;
  double dimmer_pct = 0;
  bool relay_on = false;
  double surplus_w = 0;
  bool safe_state = false;      // the meter is stale: every load at its safe set-point
};

class Router {
 public:
  explicit Router(RouterSettings s) : s_(s) {}
  Outputs step(const Inputs& in);
  [[nodiscard]] RouterSettings& settings() { return s_; }
  [[nodiscard]] const RouterSettings& settings() const { return s_; }

 private:
  double ev_step(const Inputs& in, double available_w, double ev_w_per_a);
  [[nodiscard]] double battery_share_w(const Inputs& in) const;  // BatterySettings
  double ev_from_surplus(const Inputs& in, double available_w, double ev_w_per_a);  // eco's whole amperes, with its delays
  double dimmer_step(const Inputs& in, double available_w, bool ev_changed);
  bool relay_step(const Inputs& in, double available_w);
  void stop_ev();  // disabled, its enable and disable timers from scratch

  RouterSettings s_;
  Duration offset_{};  // the zone's UTC offset at this cycle
  std::optional<double> last_export_w_;
  Outputs last_out_;
  TimePoint last_good_{};
  bool ev_enabled_ = false;
  std::optional<TimePoint> ev_above_since_, ev_below_since_;
  double ev_amps_ = 0;  // the last current given, and since when
  TimePoint ev_changed_{};
  double dimmer_pct_ = 0, dimmer_w_ = 0;  // the last set-point given, its power, and since when
  std::optional<TimePoint> dimmer_changed_;
  bool too_hot_ = false;
  bool relay_state_ = false;
  TimePoint relay_changed_{};
};

}  // namespace wattshare::surplus
