// The surplus daemon's brain, without I/O of its own: each cycle it reads the site, solves the
// router and commands the loads, and keeps the status the REST API, the WebSocket, the dashboard
// and MQTT show (available and pulling amps as TWCManager names them, surplus, each load's mode
// and power), and the car's charging sessions. Mode changes (the Boost and Eco buttons, MQTT commands) may be timed: a boost for an
// hour falls back to the configured mode by itself. Not thread-safe: the daemon serialises calls.
//   SurplusController c{config, std::make_unique<EmulatedSite>(...)};
//   every cycle: for (auto& e : c.cycle()) log(e);   c.set_mode(Load::kEv, Mode::kBoost, hours(1));
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

#include "core/error.hpp"
#include "core/json_file.hpp"
#include "surplus/charging_sessions.hpp"
#include "surplus/dimmer_output.hpp"
#include "surplus/router.hpp"
#include "surplus/site.hpp"
#include "surplus/surplus_config.hpp"

namespace wattshare::surplus {

enum class Load { kEv, kDimmer, kRelay };
std::string_view to_string(Load l);
[[nodiscard]] std::optional<Load> parse_load(std::string_view s);

class SurplusController {
 public:
  SurplusController(SurplusConfig config, std::unique_ptr<Site> site);

  // One cycle at the site's time; returns what changed that an operator should read in the log.
  std::vector<std::string> cycle();
  // A mode for one load (or every load present when `load` is empty), for a while or until changed.
  tl::expected<void, Error> set_mode(std::optional<Load> load, Mode mode, std::optional<Duration> for_how_long = {});

  [[nodiscard]] Json status() const;
  [[nodiscard]] const Outputs& outputs() const { return out_; }
  [[nodiscard]] const SiteReading& reading() const { return reading_; }
  [[nodiscard]] Mode mode(Load l) const;
  [[nodiscard]] bool present(Load l) const;
  [[nodiscard]] const SurplusConfig& config() const { return config_; }
  [[nodiscard]] Site& site() { return *site_; }
  [[nodiscard]] std::uint64_t cycles() const { return cycles_; }
  // Charging sessions that ended since the last call (the daemon stores them), and the end of
  // the running one (at exit, so none is lost).
  [[nodiscard]] std::vector<ChargingSession> take_finished_sessions() { return std::exchange(finished_, {}); }
  void end_session() {
    if (auto s = sessions_.end(now_)) finished_.push_back(*s);
  }

 private:
  void expire_timed_modes(TimePoint now, std::vector<std::string>& events);

  SurplusConfig config_;
  std::unique_ptr<Site> site_;
  Router router_;
  Outputs out_;
  SiteReading reading_;
  TimePoint now_{};
  std::array<std::optional<TimePoint>, 3> mode_until_{};
  SessionTracker sessions_;
  std::vector<ChargingSession> finished_;
  std::uint64_t cycles_ = 0, meter_failures_ = 0;
  bool meter_ok_ = true, safe_state_ = false;
};

}  // namespace wattshare::surplus
