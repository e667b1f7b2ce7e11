// The home batteries: a SolarEdge StorEdge's battery registers on the inverter's own Modbus
// connection (float32, low word first, as SolarEdge's "Battery 1" block: Instantaneous Power at
// base + 0x74, > 0 charging; State of Energy % at base + 0x84), and a pair of MQTT topics.
#pragma once

#include <memory>

#include "devices/home/home_devices.hpp"
#include "devices/home/value_reader.hpp"
#include "devices/sunspec/sunspec_client.hpp"

namespace wattshare::home {

inline constexpr std::uint32_t kSolarEdgePowerOffset = 0x74, kSolarEdgeSoeOffset = 0x84;

class SolarEdgeBattery final : public HomeBattery {
 public:
  SolarEdgeBattery(std::shared_ptr<sunspec::SunSpecClient> client, std::uint32_t base) : client_(std::move(client)), base_(base) {}
  Measured<BatteryState> read(TimePoint now) override;

 private:
  std::shared_ptr<sunspec::SunSpecClient> client_;
  std::uint32_t base_;
};

class ValueBattery final : public HomeBattery {
 public:
  ValueBattery(const surplus::BatteryDeviceConfig& c, MqttBus* bus);
  Measured<BatteryState> read(TimePoint now) override;

 private:
  ValueReader power_, soc_;
  bool discharge_positive_;
};

}  // namespace wattshare::home
