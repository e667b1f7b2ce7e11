#include "devices/home/mqtt_bus.hpp"

namespace wattshare::home {

MqttBus::MqttBus(MqttOptions o, std::function<TimePoint()> clock) : client_(std::move(o)), clock_(std::move(clock)) {}

void MqttBus::watch(const std::string& topic) {
  std::lock_guard lock{mutex_};
  if (last_.emplace(topic, MqttMessage{}).second) client_.subscribe(topic);
}

tl::expected<void, Error> MqttBus::start() {
  return client_.start([this](const std::string& topic, const std::string& payload) {
    std::lock_guard lock{mutex_};
    const auto it = last_.find(topic);
    if (it == last_.end()) return;
    it->second = {payload, clock_(), it->second.count + 1};
  });
}

std::optional<MqttMessage> MqttBus::last(const std::string& topic) const {
  std::lock_guard lock{mutex_};
  const auto it = last_.find(topic);
  if (it == last_.end() || it->second.count == 0) return std::nullopt;
  return it->second;
}

void MqttBus::publish(const std::string& topic, const std::string& payload) { client_.publish(topic, payload, false); }

}  // namespace wattshare::home
