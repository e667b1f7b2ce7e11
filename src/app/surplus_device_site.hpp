// The surplus daemon's real site: the devices the configuration names (devices/home: a SunSpec,
// Shelly, HTTP or MQTT grid meter, a home battery, a thermometer, dimmer and relay outputs over
// HTTP or MQTT) and the EV on TWC Gen2 chargers over RS485 (their master polled on its own
// thread, heartbeats every second). An emulated dimmer or relay counts as commanded. On
// destruction the chargers are commanded to 0 A and real outputs to 0 before they close.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include <tl/expected.hpp>

#include "devices/home/home_site.hpp"
#include "devices/serial/serial_port.hpp"
#include "devices/twc/twc_master.hpp"
#include "surplus/site.hpp"
#include "surplus/surplus_config.hpp"

namespace wattshare::app {

class DeviceSite final : public surplus::Site {
 public:
  [[nodiscard]] static tl::expected<std::unique_ptr<DeviceSite>, Error> open(const surplus::SurplusConfig& c,
                                                                             const std::string& mqtt_password);
  ~DeviceSite() override;

  TimePoint now() override;
  std::string kind() const override;
  surplus::SiteReading read(TimePoint now) override;
  void apply(TimePoint now, const surplus::Outputs& out) override;

 private:
  explicit DeviceSite(const surplus::SurplusConfig& c) : c_(c) {}
  void poll_chargers();
  void read_ev(surplus::SiteReading& r);
  void apply_chargers(TimePoint now, double amps);

  surplus::SurplusConfig c_;
  home::HomeDevices devices_;
  std::unique_ptr<SerialPort> line_;
  std::unique_ptr<twc::TwcMaster> twc_;
  std::mutex twc_mutex_;
  std::jthread twc_thread_;
  bool heater_blocked_ = false;  // a thermometer is configured and has no reading
  double ev_amps_ = 0, dimmer_pct_ = 0;
  std::size_t first_charger_ = 0;          // whose turn it is when not every car can charge
  std::optional<TimePoint> waiting_since_;  // since a car has been waiting for its turn
  bool relay_on_ = false;
};

}  // namespace wattshare::app
