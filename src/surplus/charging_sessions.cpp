#include "surplus/charging_sessions.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/apis_time.hpp"

namespace wattshare::surplus {
namespace {
double round_to(double v, double step) { return std::round(v / step) * step; }
}  // namespace

std::optional<ChargingSession> SessionTracker::step(TimePoint now, bool connected, double ev_w,
                                                    std::optional<double> grid_export_w) {
  // What the car drew since the last cycle, at the power read then (the meter's view of it).
  if (current_ && last_ && now > *last_) {
    const double h = to_seconds(now - *last_) / 3600;
    current_->energy_wh += last_ev_w_ * h;
    current_->solar_wh += std::clamp(last_ev_w_ - last_import_w_, 0.0, last_ev_w_) * h;
    current_->end = now;
  }
  last_ = now;
  last_ev_w_ = std::max(ev_w, 0.0);
  if (grid_export_w && std::isfinite(*grid_export_w)) last_import_w_ = std::max(-*grid_export_w, 0.0);
  std::optional<ChargingSession> done;
  if (!connected && current_) done = end(now);
  if (connected && !current_) current_ = ChargingSession{.start = now, .end = now};
  return done;
}

std::optional<ChargingSession> SessionTracker::end(TimePoint now) {
  if (!current_) return std::nullopt;
  ChargingSession s = *current_;
  s.end = std::max(s.end, now);
  price(s);
  current_.reset();
  return s;
}

void SessionTracker::price(ChargingSession& s) const {
  if (!tariff_) return;
  s.cost = ((s.energy_wh - s.solar_wh) * tariff_->grid_per_kwh + s.solar_wh * tariff_->feed_in_per_kwh) / 1000;
  s.currency = tariff_->currency;
}

Json session_json(const ChargingSession& s, const TimeZone& zone) {
  return Json{{"start", format_apis_time(s.start, zone.offset_at(s.start))},
              {"end", format_apis_time(s.end, zone.offset_at(s.end))},
              {"duration_s", to_seconds(s.end - s.start)},
              {"energy_wh", round_to(s.energy_wh, 0.1)},
              {"solar_wh", round_to(s.solar_wh, 0.1)},
              {"solar_share", round_to(s.solar_share(), 0.001)},
              {"cost", s.cost ? Json(round_to(*s.cost, 0.01)) : Json(nullptr)},
              {"currency", s.cost ? Json(s.currency) : Json(nullptr)}};
}

std::string sessions_csv(const std::vector<ChargingSession>& sessions, const TimeZone& zone) {
  std::string out = "start,end,duration_s,energy_wh,solar_wh,solar_share,cost,currency\n";
  for (const auto& s : sessions) {
    out += fmt::format("{},{},{:.0f},{:.1f},{:.1f},{:.3f},{},{}\n", format_apis_time(s.start, zone.offset_at(s.start)),
                       format_apis_time(s.end, zone.offset_at(s.end)), to_seconds(s.end - s.start), s.energy_wh,
                       s.solar_wh, s.solar_share(), s.cost ? fmt::format("{:.2f}", *s.cost) : "", s.cost ? s.currency : "");
  }
  return out;
}

}  // namespace wattshare::surplus
