// A dimmer or relay driven over MQTT (Tasmota, ESPHome, any device with a command topic): the
// payload with the value published to its command topic; the device's own report on its state
// topic acknowledges it (Tasmota's stat/<dev>/RESULT {"Dimmer":40}, ESPHome's JSON state). Sent
// when the value changes, again when the device has not reported it 5 s later (a message lost
// while the broker was away), and every 30 s. A report that disagrees for 10 s is an error.
#pragma once

#include <optional>
#include <string>

#include "devices/home/home_devices.hpp"
#include "devices/home/mqtt_bus.hpp"
#include "surplus/surplus_config.hpp"

namespace wattshare::home {

class MqttOutput final : public Output {
 public:
  enum class Value { kPercent, kOnOff };
  MqttOutput(const surplus::MqttOutputConfig& c, Value v, std::string what, MqttBus& bus);
  void command(TimePoint now, int value) override;
  [[nodiscard]] int acknowledged() const override { return reported_.value_or(0); }
  [[nodiscard]] std::string error() const override { return error_; }
  void switch_off() override;

 private:
  void take_report();
  [[nodiscard]] std::string payload(int value) const;

  surplus::MqttOutputConfig c_;
  Value value_;
  std::string what_;
  MqttBus& bus_;
  std::optional<int> reported_;
  std::uint64_t seen_ = 0;
  std::optional<int> commanded_;
  std::optional<TimePoint> sent_, since_;  // last publish; since the report has disagreed
  std::string error_;
};

}  // namespace wattshare::home
