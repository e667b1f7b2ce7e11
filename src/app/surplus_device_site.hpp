// The surplus daemon's real site: the grid meter and inverter over SunSpec Modbus TCP, the EV on
// TWC Gen2 chargers over RS485 (their master polled on its own thread, heartbeats every second),
// the dimmer and relay as commanded (their power as their output delivers it). On destruction
// the chargers are commanded to 0 A before the line closes.
#pragma once

#include <memory>
#include <optional>
#include <mutex>
#include <thread>

#include <tl/expected.hpp>

#include "devices/serial/serial_port.hpp"
#include "devices/sunspec/sunspec_client.hpp"
#include "devices/twc/twc_master.hpp"
#include "surplus/dimmer_output.hpp"
#include "surplus/site.hpp"
#include "surplus/surplus_config.hpp"

namespace wattshare::app {

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
  std::mutex twc_mutex_;
  std::jthread twc_thread_;
  double ev_amps_ = 0, dimmer_pct_ = 0;
  std::size_t first_charger_ = 0;          // whose turn it is when not every car can charge
  std::optional<TimePoint> waiting_since_;  // since a car has been waiting for its turn
  bool relay_on_ = false;
};

}  // namespace wattshare::app
