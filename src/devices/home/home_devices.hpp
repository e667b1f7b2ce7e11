// The devices of one house that the surplus router reads and drives, as small interfaces (evcc's
// `api` package: a meter gives its power, a battery its state, an output takes a set-point and
// says what the device acknowledged). One implementation per kind of real device; the daemon's
// site is their composition, built from the configuration file by open_home_devices()
// (home_site.hpp). Calls may block up to the device's timeout: the daemon's control thread makes
// them, never the HTTP thread.
#pragma once

#include <optional>
#include <string>

#include <tl/expected.hpp>

#include "core/time.hpp"

namespace wattshare::home {

// A value, or why there is none ("http://…: connection refused").
template <typename T>
using Measured = tl::expected<T, std::string>;

// The grid connection, export positive. nullopt: no new reading since the last call (a meter
// that reports less often than the cycle); the router then holds its last decision.
class GridMeter {
 public:
  virtual ~GridMeter() = default;
  virtual Measured<std::optional<double>> export_w(TimePoint now) = 0;
  // The inverter's AC production, when the meter's device knows it.
  [[nodiscard]] virtual std::optional<double> inverter_w() const { return std::nullopt; }
};

struct BatteryState {
  double power_w = 0;   // > 0 charging
  double soc_pct = 0;
};

class HomeBattery {
 public:
  virtual ~HomeBattery() = default;
  virtual Measured<BatteryState> read(TimePoint now) = 0;
};

class Thermometer {
 public:
  virtual ~Thermometer() = default;
  virtual Measured<double> celsius(TimePoint now) = 0;
};

// A dimmer (value 0–100 %) or a relay (0 or 1). command() sends when the value changed, after a
// failure, and at the device's refresh period; acknowledged() is what the device confirmed (0
// after a failure: an output whose state is unknown is not counted as drawing).
class Output {
 public:
  virtual ~Output() = default;
  virtual void command(TimePoint now, int value) = 0;
  [[nodiscard]] virtual int acknowledged() const = 0;
  [[nodiscard]] virtual std::string error() const = 0;
  // The safe value (0), sent once whatever was acknowledged: the daemon is leaving.
  virtual void switch_off() = 0;
};

}  // namespace wattshare::home
