// The grid meters: a SunSpec inverter + meter (SolarEdge, Fronius) over Modbus TCP, and a number
// over HTTP or MQTT (a Shelly EM / 3EM / Pro 3EM, seed 004's router's CT, Tasmota SML, Home
// Assistant), each with its sign rule.
#pragma once

#include <memory>

#include "devices/home/home_devices.hpp"
#include "devices/home/value_reader.hpp"
#include "devices/home/sunspec_device.hpp"

namespace wattshare::home {

class SunSpecMeter final : public GridMeter {
 public:
  explicit SunSpecMeter(std::shared_ptr<SunSpecDevice> device) : device_(std::move(device)) {}
  Measured<std::optional<double>> export_w(TimePoint now) override;
  [[nodiscard]] std::optional<double> inverter_w() const override { return inverter_w_; }

 private:
  std::shared_ptr<SunSpecDevice> device_;
  std::optional<double> inverter_w_;
};

// A meter read over HTTP every cycle, or an MQTT topic's last message (nullopt until a new one).
class ValueMeter final : public GridMeter {
 public:
  ValueMeter(const surplus::ValueSource& s, bool import_positive, MqttBus* bus);
  Measured<std::optional<double>> export_w(TimePoint now) override;

 private:
  ValueReader reader_;
  bool import_positive_;
};

}  // namespace wattshare::home
