// The registry of real devices: the configuration's device types, each opened by one line below
// (open_home_devices). Adding a device type is one new file implementing an interface of
// home_devices.hpp and one line here. The TWC chargers stay with the daemon's site (app/), which
// polls their RS485 line on its own thread.
//   auto devices = open_home_devices(config, wall_now, mqtt_password);
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <tl/expected.hpp>

#include "core/error.hpp"
#include "devices/home/home_devices.hpp"
#include "devices/home/mqtt_bus.hpp"
#include "surplus/surplus_config.hpp"

namespace wattshare::home {

struct HomeDevices {
  std::unique_ptr<MqttBus> bus;  // first: the devices on MQTT use it until they are gone
  std::unique_ptr<GridMeter> meter;
  std::unique_ptr<HomeBattery> battery;
  std::unique_ptr<Thermometer> thermometer;
  std::unique_ptr<Output> dimmer, relay;  // nullptr: emulated (the commanded value) or none
};

[[nodiscard]] tl::expected<HomeDevices, Error> open_home_devices(const surplus::SurplusConfig& c,
                                                                 std::function<TimePoint()> clock,
                                                                 const std::string& mqtt_password);

}  // namespace wattshare::home
