#include "devices/home/batteries.hpp"

#include <bit>
#include <cmath>

#include <fmt/format.h>

namespace wattshare::home {
namespace {

constexpr Duration kBatteryMaxAge = seconds(60);

// SolarEdge's float32: the low word first.
std::optional<double> swapped_float(std::uint16_t low, std::uint16_t high) {
  const auto v = static_cast<double>(std::bit_cast<float>((static_cast<std::uint32_t>(high) << 16) | low));
  return std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
}

}  // namespace

Measured<BatteryState> SolarEdgeBattery::read(TimePoint) {
  auto regs = device_->client().read_registers(base_ + kSolarEdgePowerOffset, kSolarEdgeSoeOffset - kSolarEdgePowerOffset + 2);
  if (!regs) return tl::unexpected(fmt::format("battery registers at {:#x}: {}", base_, regs.error().message));
  const auto& r = *regs;
  const auto power = swapped_float(r[0], r[1]);
  const std::size_t soe_at = kSolarEdgeSoeOffset - kSolarEdgePowerOffset;
  const auto soe = swapped_float(r[soe_at], r[soe_at + 1]);
  if (!power || !soe || *soe < 0 || *soe > 100) {
    return tl::unexpected(fmt::format("battery registers at {:#x}: power {}, state of energy {}: not a battery's", base_,
                                      power ? fmt::format("{}", *power) : "NaN", soe ? fmt::format("{}", *soe) : "NaN"));
  }
  return BatteryState{*power, *soe};
}

Measured<BatteryState> SunSpecBattery::read(TimePoint now) {
  const auto& r = device_->read(now);
  if (!r) return tl::unexpected(r.error().message);
  if (!r->map.battery_soc_pct || !r->map.battery_w) {
    return tl::unexpected(std::string("no battery (SunSpec model 802) with SoC and W in the map"));
  }
  const double soc = *r->map.battery_soc_pct;
  if (soc < 0 || soc > 100) return tl::unexpected(fmt::format("battery (model 802): SoC {} is not a percentage", soc));
  return BatteryState{charge_positive_ ? *r->map.battery_w : -*r->map.battery_w, soc};
}

ValueBattery::ValueBattery(const surplus::BatteryDeviceConfig& c, MqttBus* bus)
    : power_(c.power, Duration::zero(), kBatteryMaxAge, bus),
      soc_(c.soc, Duration::zero(), kBatteryMaxAge, bus),
      discharge_positive_(c.power_discharge_positive) {}

Measured<BatteryState> ValueBattery::read(TimePoint now) {
  auto p = power_.read(now);
  if (!p) return tl::unexpected("battery power: " + p.error());
  auto s = soc_.read(now);
  if (!s) return tl::unexpected("battery state of charge: " + s.error());
  if (*s < 0 || *s > 100) return tl::unexpected(fmt::format("battery state of charge: {} is not a percentage", *s));
  return BatteryState{discharge_positive_ ? -*p : *p, *s};
}

}  // namespace wattshare::home
