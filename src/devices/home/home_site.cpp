#include "devices/home/home_site.hpp"

#include "devices/home/batteries.hpp"
#include "devices/home/http_output.hpp"
#include "devices/home/meters.hpp"
#include "devices/home/mqtt_output.hpp"
#include "devices/home/thermometers.hpp"

namespace wattshare::home {

tl::expected<HomeDevices, Error> open_home_devices(const surplus::SurplusConfig& c, std::function<TimePoint()> clock,
                                                   const std::string& mqtt_password) {
  using Site = surplus::SiteConfig::Kind;
  using Battery = surplus::BatteryDeviceConfig::Kind;
  HomeDevices d;
  if (c.mqtt.enabled) {
    d.bus = std::make_unique<MqttBus>(
        MqttOptions{.host = c.mqtt.host, .port = c.mqtt.port, .client_id = "wattshare-" + c.name + "-devices",
                    .keepalive_s = c.mqtt.keepalive_s, .username = c.mqtt.username, .password = mqtt_password,
                    .ca_file = c.mqtt.ca_file, .cert_file = c.mqtt.cert_file, .key_file = c.mqtt.key_file},
        std::move(clock));
  }
  std::shared_ptr<SunSpecDevice> sunspec;
  if (c.site.kind == Site::kSunSpec) {
    sunspec = std::make_shared<SunSpecDevice>(sunspec::SunSpecOptions{
        .host = c.site.host, .port = c.site.port, .unit_id = c.site.unit_id,
        .timeout = std::chrono::milliseconds(c.site.timeout_ms), .invert_meter = c.site.invert, .meter = c.site.meter});
  }
  switch (c.site.kind) {
    case Site::kEmulated: return tl::unexpected(Error::invalid_config("the emulated house has no real devices"));
    case Site::kSunSpec: d.meter = std::make_unique<SunSpecMeter>(sunspec); break;
    case Site::kHttp:
    case Site::kMqtt: d.meter = std::make_unique<ValueMeter>(c.site.meter_value, c.site.invert, d.bus.get()); break;
  }
  switch (c.battery.kind) {
    case Battery::kNone:
    case Battery::kEmulated: break;
    case Battery::kSolarEdge: d.battery = std::make_unique<SolarEdgeBattery>(sunspec, c.battery.solaredge_base); break;
    case Battery::kSunSpec: d.battery = std::make_unique<SunSpecBattery>(sunspec, !c.battery.power_discharge_positive); break;
    case Battery::kMqtt: d.battery = std::make_unique<ValueBattery>(c.battery, d.bus.get()); break;
  }
  if (c.dimmer.temperature) d.thermometer = std::make_unique<ValueThermometer>(*c.dimmer.temperature, d.bus.get());
  if (c.dimmer.http) d.dimmer = std::make_unique<HttpOutput>(*c.dimmer.http, HttpOutput::Value::kPercent, "dimmer");
  if (c.dimmer.mqtt) d.dimmer = std::make_unique<MqttOutput>(*c.dimmer.mqtt, MqttOutput::Value::kPercent, "dimmer", *d.bus);
  if (c.relay_http) d.relay = std::make_unique<HttpOutput>(*c.relay_http, HttpOutput::Value::kOnOff, "relay");
  if (c.relay_mqtt) d.relay = std::make_unique<MqttOutput>(*c.relay_mqtt, MqttOutput::Value::kOnOff, "relay", *d.bus);
  if (d.bus) {
    if (auto started = d.bus->start(); !started) return tl::unexpected(started.error());
  }
  return d;
}

}  // namespace wattshare::home
