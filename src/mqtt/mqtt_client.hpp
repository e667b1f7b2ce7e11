// An MQTT 3.1.1 client on libmosquitto with its own network thread: it connects (and reconnects,
// 1 s doubling to 30 s) in the background, announces itself "online" on an availability topic with
// "offline" as its last will, re-subscribes after every reconnect and hands incoming messages to a
// callback on that thread. Publishing while disconnected is dropped, not queued: the next state
// message supersedes it.
//   MqttClient mqtt{{.host = "127.0.0.1", .client_id = "wattshare-house-1", .availability_topic = "…/status"}};
//   mqtt.subscribe("wattshare/house-1/+/mode/set");  mqtt.start(on_message);  mqtt.publish(t, p, true);
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "core/error.hpp"

struct mosquitto;
struct mosquitto_message;

namespace wattshare {

struct MqttOptions {
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string client_id;
  int keepalive_s = 30;
  std::string availability_topic;  // "online" retained at connect; "offline" as the last will
  std::string username, password;  // the broker's user (none: anonymous)
  // TLS (ca_file set): the broker is verified against the CA, its host name included; with
  // cert_file and key_file this client shows its own certificate.
  std::string ca_file, cert_file, key_file;
};

class MqttClient {
 public:
  using OnMessage = std::function<void(const std::string& topic, const std::string& payload)>;

  explicit MqttClient(MqttOptions o);
  ~MqttClient();
  MqttClient(const MqttClient&) = delete;
  MqttClient& operator=(const MqttClient&) = delete;

  void subscribe(std::string topic_filter);  // before or after start; kept across reconnects
  // Starts the network thread; an error only for what cannot get better by retrying (bad options).
  tl::expected<void, Error> start(OnMessage on_message);
  void publish(const std::string& topic, const std::string& payload, bool retain);
  [[nodiscard]] bool connected() const { return connected_.load(); }
  [[nodiscard]] std::uint64_t published() const { return published_.load(); }
  // Publishes "offline", disconnects and joins the thread (also done by the destructor).
  void stop();

 private:
  static void on_connect(mosquitto* m, void* self, int rc);
  static void on_disconnect(mosquitto* m, void* self, int rc);
  static void on_message(mosquitto* m, void* self, const mosquitto_message* msg);

  MqttOptions o_;
  mosquitto* m_ = nullptr;
  OnMessage on_message_;
  std::mutex mutex_;
  std::vector<std::string> subscriptions_;
  std::atomic<bool> connected_{false}, started_{false};
  std::atomic<std::uint64_t> published_{0};
};

}  // namespace wattshare
