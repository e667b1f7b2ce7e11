// Charging sessions, as evcc keeps them: from the car's arrival (the charger sees it) to its
// departure, the energy it took, how much of it was solar (each cycle the car's power less what
// the house imported, never below 0 nor above what the car drew) and, with a tariff, its cost
// (the grid part at the grid price, the solar part at the feed-in price it did not earn). Pure:
// the daemon stores each finished session (store/charging_session_store) and serves them.
//   SessionTracker t{tariff};  if (auto done = t.step(now, connected, ev_w, export_w)) store.add(*done);
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/json_file.hpp"
#include "core/time.hpp"
#include "core/time_zone.hpp"

namespace wattshare::surplus {

struct Tariff {
  double grid_per_kwh = 0;     // what an imported kWh costs
  double feed_in_per_kwh = 0;  // what an exported kWh earns
  std::string currency = "EUR";
};

struct ChargingSession {
  TimePoint start, end;  // end == start while it runs
  double energy_wh = 0, solar_wh = 0;
  std::optional<double> cost;  // with a tariff
  std::string currency;
  [[nodiscard]] double solar_share() const { return energy_wh > 0 ? solar_wh / energy_wh : 0; }
};

class SessionTracker {
 public:
  explicit SessionTracker(std::optional<Tariff> tariff = {}) : tariff_(std::move(tariff)) {}
  // One cycle: the car is connected or not, draws `ev_w`, the meter reads `grid_export_w`
  // (nullopt: not known, the last reading counts). Returns the session that ended.
  std::optional<ChargingSession> step(TimePoint now, bool connected, double ev_w, std::optional<double> grid_export_w);
  // The session running, if any (the daemon ends it at exit: no energy is lost).
  [[nodiscard]] const std::optional<ChargingSession>& current() const { return current_; }
  std::optional<ChargingSession> end(TimePoint now);

 private:
  void price(ChargingSession& s) const;

  std::optional<Tariff> tariff_;
  std::optional<ChargingSession> current_;
  std::optional<TimePoint> last_;
  double last_ev_w_ = 0, last_import_w_ = 0;
};

// For /api/sessions: times in the zone's local time, as the rest of the status.
[[nodiscard]] Json session_json(const ChargingSession& s, const TimeZone& zone);
// For /api/sessions.csv: a header, then one line per session.
[[nodiscard]] std::string sessions_csv(const std::vector<ChargingSession>& sessions, const TimeZone& zone);

}  // namespace wattshare::surplus
