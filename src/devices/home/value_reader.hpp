// A number read from a device (surplus::ValueSource): over HTTP, a GET each time it is asked, at
// most once per `period`, the last good value kept until `max_age`; over MQTT, the topic's last
// message, too old after `max_age`. fresh() tells whether a new value came since the last call,
// for meters that report less often than the router's cycle.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "devices/home/home_devices.hpp"
#include "devices/home/mqtt_bus.hpp"
#include "net/http_client.hpp"
#include "surplus/surplus_config.hpp"

namespace wattshare::home {

class ValueReader {
 public:
  // `bus` only for an MQTT source (it must outlive the reader).
  ValueReader(surplus::ValueSource s, Duration period, Duration max_age, MqttBus* bus);
  Measured<double> read(TimePoint now);
  [[nodiscard]] bool fresh() const { return fresh_; }
  [[nodiscard]] const surplus::ValueSource& source() const { return s_; }

 private:
  void poll_http(TimePoint now);

  surplus::ValueSource s_;
  Duration period_, max_age_;
  MqttBus* bus_;
  std::unique_ptr<HttpClient> http_;
  std::optional<double> value_;
  std::optional<TimePoint> read_at_, tried_at_;
  std::uint64_t seen_ = 0;
  std::string error_;
  bool fresh_ = false;
};

}  // namespace wattshare::home
