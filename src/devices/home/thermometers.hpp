// The water temperature over HTTP (xlyric's /state "temperature", a Shelly add-on's
// "ext_temperature.0.tC") or MQTT (Tasmota's tele/<dev>/SENSOR "DS18B20.Temperature"), read every
// 10 s; none for a minute is an error, and the heater stays off until one comes.
#pragma once

#include "devices/home/home_devices.hpp"
#include "devices/home/value_reader.hpp"

namespace wattshare::home {

class ValueThermometer final : public Thermometer {
 public:
  ValueThermometer(const surplus::ValueSource& s, MqttBus* bus) : reader_(s, seconds(10), minutes(1), bus) {}
  Measured<double> celsius(TimePoint now) override { return reader_.read(now); }

 private:
  ValueReader reader_;
};

}  // namespace wattshare::home
