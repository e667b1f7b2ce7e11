#include "surplus/router.hpp"

#include <algorithm>
#include <cmath>

namespace wattshare::surplus {

std::string_view to_string(Mode m) {
  switch (m) {
    case Mode::kOff: return "off";
    case Mode::kEco: return "eco";
    case Mode::kBoost: return "boost";
    case Mode::kScheduled: return "scheduled";
    case Mode::kMinPv: return "minpv";
  }
  return "off";
}

std::optional<Mode> parse_mode(std::string_view s) {
  // evcc's names for the same modes.
  if (s == "pv") return Mode::kEco;
  if (s == "now") return Mode::kBoost;
  for (Mode m : {Mode::kOff, Mode::kEco, Mode::kBoost, Mode::kScheduled, Mode::kMinPv}) {
    if (to_string(m) == s) return m;
  }
  return std::nullopt;
}

namespace {
// A schedule's set-point now: its own windows on top of any mode but off; kScheduled's default
// window (21:00–07:00 at `fallback`) when it has none.
std::optional<double> scheduled(Mode mode, const Schedule& s, double fallback, TimePoint t, Duration utc_offset) {
  if (mode == Mode::kOff) return std::nullopt;
  if (s.count > 0) return s.active(t, utc_offset);
  if (mode == Mode::kScheduled && Window{}.contains(t, utc_offset)) return fallback;
  return std::nullopt;
}
}  // namespace

std::optional<double> Schedule::active(TimePoint t, Duration utc_offset) const {
  std::optional<double> best;
  for (std::size_t i = 0; i < std::min(count, entries.size()); ++i) {
    if (entries[i].window.contains(t, utc_offset)) best = std::max(best.value_or(0.0), entries[i].amps);
  }
  return best;
}

LocalTime local_time(TimePoint t, Duration utc_offset) {
  const TimePoint local = t + utc_offset;
  const auto day = std::chrono::floor<std::chrono::days>(local);
  // 1970-01-01 was a Thursday: Monday-based weekday index.
  return {static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(local - day).count()),
          static_cast<int>((day.time_since_epoch().count() + 3) % 7)};
}

bool Window::contains(TimePoint t, Duration utc_offset) const {
  const auto [minute, weekday] = local_time(t, utc_offset);
  auto starts_on = [&](int wd) { return (days >> wd) & 1; };
  if (from_min <= to_min) return starts_on(weekday) && minute >= from_min && minute < to_min;
  // Crossing midnight: the evening of a chosen day, or the morning after one.
  return (starts_on(weekday) && minute >= from_min) || (starts_on((weekday + 6) % 7) && minute < to_min);
}

Outputs Router::step(const Inputs& in) {
  Outputs out;
  offset_ = s_.zone.offset_at(in.time);  // the schedules' local time, once per cycle
  const bool good = in.grid_export_w && std::isfinite(*in.grid_export_w) && std::abs(*in.grid_export_w) < 1e6;
  if (good) {
    last_export_w_ = *in.grid_export_w;
    last_good_ = in.time;
  }
  if (!good && last_export_w_ && in.time - last_good_ <= s_.stale_after) {
    // A reading is missing: hold the last decision (the last export no longer tells what the
    // loads changed since), for at most `stale_after`.
    Outputs held = last_out_;
    if (!in.ev_connected && !in.ev_probe) held.ev_amps = 0;
    return held;
  }
  if (!last_export_w_ || in.time - last_good_ > s_.stale_after) {
    // Nothing to trust: the safe state, and the EV's timers start afresh afterwards.
    out.safe_state = true;
    out.ev_amps = in.ev_connected ? s_.ev.safe_a : 0;
    stop_ev();
    relay_state_ = false;
    return out;
  }
  const int phases = in.ev_phases && (*in.ev_phases == 1 || *in.ev_phases == 2 || *in.ev_phases == 3)
                         ? *in.ev_phases : s_.ev.phases;
  const double ev_w_per_a = s_.ev.volts * phases;
  const double relay_w = in.relay_on ? s_.relay.rated_w : 0.0;
  out.surplus_w = *last_export_w_ + in.ev_actual_a * ev_w_per_a + in.dimmer_power_w + relay_w +
                  battery_share_w(in) - s_.reserve_w;
  double available = out.surplus_w;
  out.ev_amps = ev_step(in, available, ev_w_per_a);
  // EvSettings::step: a charging car's current from the surplus changes at most every `step`.
  const bool from_surplus = s_.ev.mode == Mode::kEco || s_.ev.mode == Mode::kMinPv;
  if (from_surplus && out.ev_amps > 0 && ev_amps_ > 0 && in.time - ev_changed_ < s_.ev.step)
    out.ev_amps = ev_amps_;
  const bool ev_changed = out.ev_amps != ev_amps_;
  if (ev_changed) {
    ev_amps_ = out.ev_amps;
    ev_changed_ = in.time;
  }
  available -= (in.ev_connected ? out.ev_amps : std::min(out.ev_amps, in.ev_actual_a)) * ev_w_per_a;
  out.dimmer_pct = dimmer_step(in, available, ev_changed);
  available -= out.dimmer_pct / 100.0 * s_.dimmer.rated_w;
  out.relay_on = relay_step(in, available);
  last_out_ = out;
  return out;
}

double Router::battery_share_w(const Inputs& in) const {
  if (!in.battery_w || !std::isfinite(*in.battery_w)) return 0;
  const double soc = in.battery_soc_pct.value_or(0);
  const BatterySettings& b = s_.battery;
  if (*in.battery_w >= 0) return soc >= b.priority_soc ? *in.battery_w : 0.0;  // charging
  return b.buffer_soc && soc >= *b.buffer_soc ? 0.0 : *in.battery_w;             // discharging
}

double Router::ev_step(const Inputs& in, double available_w, double ev_w_per_a) {
  const EvSettings& e = s_.ev;
  if (!in.ev_connected && !in.ev_probe) {
    stop_ev();
    return 0;
  }
  const double window_a =
      std::min(scheduled(e.mode, e.schedule, e.max_a, in.time, offset_).value_or(0.0), e.max_a);
  switch (e.mode) {
    case Mode::kOff: return 0;
    case Mode::kBoost: return e.max_a;
    case Mode::kScheduled: return window_a;
    case Mode::kEco: return std::max(ev_from_surplus(in, available_w, ev_w_per_a), window_a);
    case Mode::kMinPv: return std::max({ev_from_surplus(in, available_w, ev_w_per_a), e.min_a, window_a});
  }
  return 0;
}

double Router::ev_from_surplus(const Inputs& in, double available_w, double ev_w_per_a) {
  const EvSettings& e = s_.ev;
  // Whole amperes from the surplus (the car steps in ~1 A; the dimmer takes the rest).
  const double target = std::min(std::floor(std::max(available_w, 0.0) / ev_w_per_a), e.max_a);
  if (!ev_enabled_) {
    if (target < e.min_a) {
      ev_above_since_.reset();
      return 0;
    }
    if (!ev_above_since_) ev_above_since_ = in.time;
    if (in.time - *ev_above_since_ < e.enable_delay) return 0;
    ev_enabled_ = true;
    ev_below_since_.reset();
  }
  if (target >= e.min_a) {
    ev_below_since_.reset();
    return target;
  }
  // Not enough any more: hold the minimum through the disable delay, then stop.
  if (!ev_below_since_) ev_below_since_ = in.time;
  if (in.time - *ev_below_since_ < e.disable_delay) return e.min_a;
  stop_ev();
  return 0;
}

void Router::stop_ev() {
  ev_enabled_ = false;
  ev_above_since_.reset();
  ev_below_since_.reset();
}

double Router::dimmer_step(const Inputs& in, double available_w, bool ev_changed) {
  const DimmerSettings& d = s_.dimmer;
  if (d.rated_w <= 0) return 0;
  if (in.water_temperature_c) {  // the thermostat's cut-off, with its restart hysteresis
    if (*in.water_temperature_c >= d.max_temperature_c) too_hot_ = true;
    if (*in.water_temperature_c <= d.restart_below_c) too_hot_ = false;
  }
  double want = 0;
  if (!too_hot_ && scheduled(d.mode, d.schedule, 1, in.time, offset_)) {
    want = 100;
  } else if (!too_hot_) {
    switch (d.mode) {
      case Mode::kOff: want = 0; break;
      case Mode::kBoost: want = 100; break;
      case Mode::kScheduled: want = 0; break;
      case Mode::kEco:
      case Mode::kMinPv: {
        // The surplus counts the dimmer's draw now but the meter's export of up to `settle` ago:
        // until the meter shows the last change, or when the correction is within the dead
        // band, the set-point stays (the EV's change is made up for at once).
        const double want_w = std::clamp(available_w, 0.0, d.rated_w);
        const bool waiting = dimmer_changed_ && in.time - *dimmer_changed_ < s_.settle && !ev_changed;
        want = waiting || std::abs(want_w - dimmer_w_) <= s_.dead_band_w ? dimmer_pct_ : want_w / d.rated_w * 100.0;
        break;
      }
    }
  }
  if (want != dimmer_pct_) {
    dimmer_pct_ = want;
    dimmer_w_ = want * 0.01 * d.rated_w;
    dimmer_changed_ = in.time;
  }
  return want;
}

bool Router::relay_step(const Inputs& in, double available_w) {
  const RelaySettings& r = s_.relay;
  if (r.rated_w <= 0) return false;
  bool want = false;
  switch (r.mode) {
    case Mode::kOff: want = false; break;
    case Mode::kBoost: want = true; break;
    case Mode::kScheduled: want = false; break;
    // available_w already counts the relay's own draw while it is on.
    case Mode::kEco: case Mode::kMinPv: want = available_w >= r.rated_w; break;
  }
  want = want || scheduled(r.mode, r.schedule, 1, in.time, offset_).has_value();
  if (want != relay_state_) {
    const Duration held = in.time - relay_changed_;
    if (held >= (relay_state_ ? r.min_on : r.min_off) || relay_changed_ == TimePoint{}) {
      relay_state_ = want;
      relay_changed_ = in.time;
    }
  }
  return relay_state_;
}

}  // namespace wattshare::surplus
