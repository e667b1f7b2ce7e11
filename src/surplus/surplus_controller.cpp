#include "surplus/surplus_controller.hpp"

#include <cmath>

#include <fmt/format.h>

#include "core/apis_time.hpp"

namespace wattshare::surplus {
namespace {

constexpr std::array<Load, 3> kLoads{Load::kEv, Load::kDimmer, Load::kRelay};

Json number_or_null(const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); }

double round_to(double v, double step) { return std::round(v / step) * step; }

template <typename Settings>  // RouterSettings or const RouterSettings
auto& mode_in(Settings& s, Load l) {
  return l == Load::kEv ? s.ev.mode : l == Load::kDimmer ? s.dimmer.mode : s.relay.mode;
}

}  // namespace

std::string_view to_string(Load l) {
  switch (l) {
    case Load::kEv: return "ev";
    case Load::kDimmer: return "dimmer";
    case Load::kRelay: return "relay";
  }
  return "ev";
}

std::optional<Load> parse_load(std::string_view s) {
  for (Load l : kLoads) {
    if (to_string(l) == s) return l;
  }
  return std::nullopt;
}

SurplusController::SurplusController(SurplusConfig config, std::unique_ptr<Site> site)
    : config_(std::move(config)), site_(std::move(site)), router_(config_.router), sessions_(config_.tariff) {}

Mode SurplusController::mode(Load l) const { return mode_in(router_.settings(), l); }

bool SurplusController::present(Load l) const {
  switch (l) {
    case Load::kEv: return config_.ev.kind != EvDeviceConfig::Kind::kNone;
    case Load::kDimmer: return config_.router.dimmer.rated_w > 0;
    case Load::kRelay: return config_.router.relay.rated_w > 0;
  }
  return false;
}

tl::expected<void, Error> SurplusController::set_mode(std::optional<Load> load, Mode mode,
                                                      std::optional<Duration> for_how_long) {
  if (for_how_long && *for_how_long <= Duration::zero()) {
    return tl::unexpected(Error::bad_input("a timed mode needs a positive duration"));
  }
  if (load && !present(*load)) {
    return tl::unexpected(Error::bad_input(fmt::format("this house has no {}", to_string(*load))));
  }
  for (Load l : kLoads) {
    if ((load && l != *load) || !present(l)) continue;
    mode_in(router_.settings(), l) = mode;
    mode_until_[static_cast<std::size_t>(l)] =
        for_how_long ? std::optional<TimePoint>(now_ + *for_how_long) : std::nullopt;
  }
  return {};
}

void SurplusController::expire_timed_modes(TimePoint now, std::vector<std::string>& events) {
  for (Load l : kLoads) {
    auto& until = mode_until_[static_cast<std::size_t>(l)];
    if (!until || now < *until) continue;
    until.reset();
    const Mode back = mode_in(config_.router, l);
    events.push_back(fmt::format("{}: timed {} mode over, back to {}", to_string(l), to_string(mode(l)), to_string(back)));
    mode_in(router_.settings(), l) = back;
  }
}

std::vector<std::string> SurplusController::cycle() {
  std::vector<std::string> events;
  now_ = site_->now();
  expire_timed_modes(now_, events);
  reading_ = site_->read(now_);
  const bool meter_ok = reading_.meter_unchanged || (reading_.grid_export_w && std::isfinite(*reading_.grid_export_w));
  if (!meter_ok) ++meter_failures_;
  if (meter_ok != meter_ok_) {
    events.push_back(meter_ok ? std::string("meter: readings are back")
                              : fmt::format("meter: no reading ({}); holding the last decision",
                                            reading_.meter_error.empty() ? "not a number" : reading_.meter_error));
    meter_ok_ = meter_ok;
  }
  Inputs in;
  in.time = now_;
  in.grid_export_w = reading_.grid_export_w;
  in.ev_connected = reading_.ev_connected;
  in.ev_probe = reading_.ev_probe;
  in.ev_actual_a = reading_.ev_actual_a;
  in.dimmer_power_w = reading_.dimmer_power_w;
  in.water_temperature_c = reading_.water_temperature_c;
  in.relay_on = reading_.relay_on;
  in.battery_w = reading_.battery_w;
  in.battery_soc_pct = reading_.battery_soc_pct;
  in.ev_phases = reading_.ev_phases;
  out_ = router_.step(in);
  if (out_.safe_state != safe_state_) {
    events.push_back(out_.safe_state
                         ? fmt::format("safe state: no trustworthy meter reading for {} s; EV at {} A, dimmer 0 %, relay off",
                                       to_seconds(config_.router.stale_after), out_.ev_amps)
                         : std::string("safe state left: routing the surplus again"));
    safe_state_ = out_.safe_state;
  }
  site_->apply(now_, out_);
  const double ev_w = reading_.ev_actual_a * config_.router.ev.volts * reading_.ev_phases.value_or(config_.router.ev.phases);
  if (auto done = sessions_.step(now_, reading_.ev_connected, ev_w, reading_.grid_export_w)) {
    events.push_back(fmt::format("ev: charging session over, {:.0f} Wh, {:.0f} % solar", done->energy_wh,
                                 100 * done->solar_share()));
    finished_.push_back(*done);
  }
  ++cycles_;
  return events;
}

Json SurplusController::status() const {
  const RouterSettings& rs = config_.router;
  const SiteReading& r = reading_;
  const int phases = r.ev_phases.value_or(rs.ev.phases);
  const double w_per_a = rs.ev.volts * phases;
  Json s{{"name", config_.name},
         {"time", format_apis_time(now_, rs.zone.offset_at(now_))},
         {"site", site_->kind()},
         {"cycle", cycles_},
         {"meter_ok", meter_ok_},
         {"meter_error", r.meter_error},
         {"meter_failures", meter_failures_},
         {"safe_state", out_.safe_state},
         {"grid_export_w", number_or_null(r.grid_export_w)},
         {"inverter_power_w", number_or_null(r.inverter_power_w)},
         {"reserve_w", rs.reserve_w},
         {"surplus_w", round_to(out_.surplus_w, 0.1)},
         // TWCManager's names: what the surplus would let the charger take, and what it takes.
         {"available_amps", round_to(std::max(out_.surplus_w, 0.0) / w_per_a, 0.01)},
         {"pulling_amps", round_to(r.ev_actual_a, 0.01)}};
  auto mode_json = [&](Load l) {
    Json m{{"mode", to_string(mode(l))}, {"present", present(l)}};
    const auto& until = mode_until_[static_cast<std::size_t>(l)];
    m["mode_until"] = until ? Json(format_apis_time(*until, rs.zone.offset_at(*until))) : Json(nullptr);
    return m;
  };
  Json ev = mode_json(Load::kEv);
  ev.update(Json{{"connected", r.ev_connected}, {"command_a", out_.ev_amps}, {"actual_a", round_to(r.ev_actual_a, 0.01)},
                 {"power_w", round_to(r.ev_actual_a * w_per_a, 0.1)}, {"phases", phases}, {"min_a", rs.ev.min_a}, {"max_a", rs.ev.max_a},
                 {"soc", number_or_null(r.ev_soc)}});
  Json dimmer = mode_json(Load::kDimmer);
  dimmer.update(Json{{"command_pct", round_to(out_.dimmer_pct, 0.01)}, {"power_w", round_to(r.dimmer_power_w, 0.1)},
                     {"error", r.dimmer_error.empty() ? Json(nullptr) : Json(r.dimmer_error)},
                     {"rated_w", rs.dimmer.rated_w}, {"output", to_string(config_.dimmer.output)},
                     {"temperature_c", number_or_null(r.water_temperature_c)}});
  if (config_.dimmer.output == DimmerOutput::kPhaseAngle) {
    dimmer["firing_delay_us"] = phase_angle_firing(out_.dimmer_pct, config_.dimmer.mains_hz).delay_us;
  }
  Json relay = mode_json(Load::kRelay);
  relay.update(Json{{"on", out_.relay_on}, {"power_w", r.relay_on ? rs.relay.rated_w : 0.0},
                    {"error", r.relay_error.empty() ? Json(nullptr) : Json(r.relay_error)}});
  s["ev"] = std::move(ev);
  s["dimmer"] = std::move(dimmer);
  s["relay"] = std::move(relay);
  s["house"] = Json{{"pv_w", number_or_null(r.pv_w)}, {"load_w", number_or_null(r.house_w)}};
  s["battery"] = Json{{"present", config_.battery.kind != BatteryDeviceConfig::Kind::kNone},
                      {"power_w", number_or_null(r.battery_w)},
                      {"soc_pct", number_or_null(r.battery_soc_pct)},
                      {"error", r.battery_error.empty() ? Json(nullptr) : Json(r.battery_error)},
                      {"priority_soc", rs.battery.priority_soc},
                      {"buffer_soc", number_or_null(rs.battery.buffer_soc)}};
  s["time_zone"] = rs.zone.name();
  s["session"] = sessions_.current() ? session_json(*sessions_.current(), rs.zone) : Json(nullptr);
  return s;
}

}  // namespace wattshare::surplus
