#include "devices/home/meters.hpp"

namespace wattshare::home {

// A reading older than this is no reading: the router holds, then goes to its safe state.
constexpr Duration kMeterMaxAge = seconds(60);

Measured<std::optional<double>> SunSpecMeter::export_w(TimePoint now) {
  const auto& r = device_->read(now);
  if (!r) {
    inverter_w_.reset();
    return tl::unexpected(r.error().message);
  }
  inverter_w_ = r->inverter_power_w;
  if (!r->meter_power_w) return tl::unexpected(std::string("the meter's power is not implemented or has no scale factor"));
  return r->meter_power_w;
}

ValueMeter::ValueMeter(const surplus::ValueSource& s, bool import_positive, MqttBus* bus)
    : reader_(s, Duration::zero(), kMeterMaxAge, bus), import_positive_(import_positive) {}

Measured<std::optional<double>> ValueMeter::export_w(TimePoint now) {
  auto v = reader_.read(now);
  if (!v) return tl::unexpected(v.error());
  if (!reader_.fresh()) return std::optional<double>{};
  return std::optional<double>(import_positive_ ? -*v : *v);
}

}  // namespace wattshare::home
