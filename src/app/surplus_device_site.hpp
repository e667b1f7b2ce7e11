// The surplus daemon's real site: the grid meter and inverter over SunSpec Modbus TCP, the EV on
// TWC Gen2 chargers over RS485 (their master polled on its own thread, heartbeats every second),
// the dimmer as commanded (emulated: its power as its output delivers it) or over HTTP (its
// power counted only once the dimmer acknowledged the command), the relay as commanded. On
// destruction the chargers are commanded to 0 A and an HTTP dimmer to 0 % before they close.
#pragma once

#include <memory>
#include <optional>
#include <mutex>
#include <thread>

#include <tl/expected.hpp>

#include "devices/serial/serial_port.hpp"
#include "devices/sunspec/sunspec_client.hpp"
#include "devices/twc/twc_master.hpp"
#include "net/http_client.hpp"
#include "surplus/dimmer_output.hpp"
#include "surplus/site.hpp"
#include "surplus/surplus_config.hpp"

namespace wattshare::app {

// One device output driven over HTTP (a dimmer's power share, a relay's state): sent when the
// value changes, after a failure and every 30 s (a device that restarted has forgotten it); the
// value counts only once the device acknowledged it with a 2xx.
class HttpOutput {
 public:
  HttpOutput(const surplus::HttpOutputConfig& c, std::string what);
  void command(TimePoint now, int value, const std::string& target);
  [[nodiscard]] int acknowledged() const { return acked_; }  // 0 after a failure
  [[nodiscard]] const std::string& error() const { return error_; }
  // Sends `target` once, whatever was acknowledged (the safe value at exit).
  void send_now(const std::string& target);

 private:
  surplus::HttpOutputConfig c_;
  std::string what_;
  HttpClient client_;
  int acked_ = 0;
  std::optional<TimePoint> sent_;
  std::string error_;
};

class DeviceSite final : public surplus::Site {
 public:
  [[nodiscard]] static tl::expected<std::unique_ptr<DeviceSite>, Error> open(const surplus::SurplusConfig& c);
  ~DeviceSite() override;

  TimePoint now() override;
  std::string kind() const override { return "sunspec"; }
  surplus::SiteReading read(TimePoint now) override;
  void apply(TimePoint now, const surplus::Outputs& out) override;

 private:
  explicit DeviceSite(const surplus::SurplusConfig& c);
  void poll_chargers();

  surplus::SurplusConfig c_;
  sunspec::SunSpecClient meter_;
  std::unique_ptr<SerialPort> line_;
  std::unique_ptr<twc::TwcMaster> twc_;
  std::unique_ptr<HttpOutput> dimmer_http_, relay_http_;
  // The water temperature over HTTP: read every 10 s; none for a minute keeps the heater off.
  void read_thermometer(TimePoint now);
  std::unique_ptr<HttpClient> thermometer_;
  std::optional<double> water_c_;
  std::optional<TimePoint> water_read_, water_tried_;
  std::string water_error_;
  bool heater_blocked_ = false;
  std::mutex twc_mutex_;
  std::jthread twc_thread_;
  double ev_amps_ = 0, dimmer_pct_ = 0;
  std::size_t first_charger_ = 0;          // whose turn it is when not every car can charge
  std::optional<TimePoint> waiting_since_;  // since a car has been waiting for its turn
  bool relay_on_ = false;
};

}  // namespace wattshare::app
