// The home batteries: a SolarEdge StorEdge's battery registers on the inverter's own Modbus
// connection (float32, low word first, as SolarEdge's "Battery 1" block: Instantaneous Power at
// base + 0x74, > 0 charging; State of Energy % at base + 0x84), a SunSpec battery model (802) in
// the inverter's map, and a pair of MQTT topics.
#pragma once

#include <memory>

#include "devices/home/home_devices.hpp"
#include "devices/home/value_reader.hpp"
#include "devices/home/sunspec_device.hpp"

namespace wattshare::home {

inline constexpr std::uint32_t kSolarEdgePowerOffset = 0x74, kSolarEdgeSoeOffset = 0x84;

class SolarEdgeBattery final : public HomeBattery {
 public:
  SolarEdgeBattery(std::shared_ptr<SunSpecDevice> device, std::uint32_t base) : device_(std::move(device)), base_(base) {}
  Measured<BatteryState> read(TimePoint now) override;

 private:
  std::shared_ptr<SunSpecDevice> device_;
  std::uint32_t base_;
};

// SunSpec's battery base model (802): SoC and W, positive discharging as SunSpec signs it unless
// the device says otherwise (`charge_positive`).
class SunSpecBattery final : public HomeBattery {
 public:
  SunSpecBattery(std::shared_ptr<SunSpecDevice> device, bool charge_positive)
      : device_(std::move(device)), charge_positive_(charge_positive) {}
  Measured<BatteryState> read(TimePoint now) override;

 private:
  std::shared_ptr<SunSpecDevice> device_;
  bool charge_positive_;
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
