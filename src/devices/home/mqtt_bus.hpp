// The house's devices on MQTT share one broker connection: each topic's last message (payload,
// arrival time and a count that tells a new message from the same one read again) is kept for
// the control thread, and outputs publish their commands through it. Topics are subscribed before
// start and again after every reconnect (MqttClient).
//   MqttBus bus{options, wall_now};  bus.watch("tele/meter/SENSOR");  bus.start();
//   if (auto m = bus.last("tele/meter/SENSOR")) parse(m->payload);
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <tl/expected.hpp>

#include "core/error.hpp"
#include "core/time.hpp"
#include "mqtt/mqtt_client.hpp"

namespace wattshare::home {

struct MqttMessage {
  std::string payload;
  TimePoint at;
  std::uint64_t count = 0;  // messages on the topic so far
};

class MqttBus {
 public:
  MqttBus(MqttOptions o, std::function<TimePoint()> clock);
  void watch(const std::string& topic);
  tl::expected<void, Error> start();
  [[nodiscard]] std::optional<MqttMessage> last(const std::string& topic) const;
  void publish(const std::string& topic, const std::string& payload);
  [[nodiscard]] bool connected() const { return client_.connected(); }

 private:
  MqttClient client_;
  std::function<TimePoint()> clock_;
  mutable std::mutex mutex_;
  std::map<std::string, MqttMessage, std::less<>> last_;
};

}  // namespace wattshare::home
