#include "mqtt/mqtt_client.hpp"

#include <mosquitto.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace wattshare {
namespace {

// libmosquitto needs one global init per process.
struct LibraryInit {
  LibraryInit() { mosquitto_lib_init(); }
  ~LibraryInit() { mosquitto_lib_cleanup(); }
};

void ensure_library() { static LibraryInit init; }

}  // namespace

MqttClient::MqttClient(MqttOptions o) : o_(std::move(o)) {
  ensure_library();
  m_ = mosquitto_new(o_.client_id.empty() ? nullptr : o_.client_id.c_str(), true, this);
  if (m_ == nullptr) return;
  mosquitto_connect_callback_set(m_, &MqttClient::on_connect);
  mosquitto_disconnect_callback_set(m_, &MqttClient::on_disconnect);
  mosquitto_message_callback_set(m_, &MqttClient::on_message);
  mosquitto_reconnect_delay_set(m_, 1, 30, true);
  if (!o_.availability_topic.empty()) {
    mosquitto_will_set(m_, o_.availability_topic.c_str(), 7, "offline", 1, true);
  }
}

MqttClient::~MqttClient() {
  stop();
  if (m_ != nullptr) mosquitto_destroy(m_);
}

void MqttClient::subscribe(std::string topic_filter) {
  std::lock_guard lock{mutex_};
  if (connected_) mosquitto_subscribe(m_, nullptr, topic_filter.c_str(), 1);
  subscriptions_.push_back(std::move(topic_filter));
}

tl::expected<void, Error> MqttClient::start(OnMessage on_message) {
  if (m_ == nullptr) return tl::unexpected(Error::internal("mqtt: cannot create a libmosquitto client"));
  on_message_ = std::move(on_message);
  if (!o_.username.empty()) {
    const int rc = mosquitto_username_pw_set(m_, o_.username.c_str(), o_.password.empty() ? nullptr : o_.password.c_str());
    if (rc != MOSQ_ERR_SUCCESS) return tl::unexpected(Error::invalid_config(fmt::format("mqtt user: {}", mosquitto_strerror(rc))));
  }
  if (!o_.ca_file.empty()) {
    auto file = [](const std::string& f) { return f.empty() ? nullptr : f.c_str(); };
    const int rc = mosquitto_tls_set(m_, o_.ca_file.c_str(), nullptr, file(o_.cert_file), file(o_.key_file), nullptr);
    if (rc != MOSQ_ERR_SUCCESS) {
      return tl::unexpected(Error::invalid_config(fmt::format("mqtt TLS (CA {}, certificate {}, key {}): {}", o_.ca_file,
                                                              o_.cert_file, o_.key_file, mosquitto_strerror(rc))));
    }
    mosquitto_tls_insecure_set(m_, false);  // the broker's certificate must name the host
  }
  // Asynchronous: a broker that is down now is retried by the network thread.
  const int rc = mosquitto_connect_async(m_, o_.host.c_str(), o_.port, o_.keepalive_s);
  if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_ERRNO) {
    return tl::unexpected(Error::invalid_config(
        fmt::format("mqtt: cannot connect to {}:{}: {}", o_.host, o_.port, mosquitto_strerror(rc))));
  }
  if (rc == MOSQ_ERR_ERRNO) spdlog::warn("mqtt: {}:{} not reachable yet, retrying in the background", o_.host, o_.port);
  const int loop = mosquitto_loop_start(m_);
  if (loop != MOSQ_ERR_SUCCESS) {
    return tl::unexpected(Error::internal(fmt::format("mqtt: cannot start its thread: {}", mosquitto_strerror(loop))));
  }
  started_ = true;
  return {};
}

void MqttClient::publish(const std::string& topic, const std::string& payload, bool retain) {
  if (!connected_) return;
  if (mosquitto_publish(m_, nullptr, topic.c_str(), static_cast<int>(payload.size()), payload.data(), 1, retain) ==
      MOSQ_ERR_SUCCESS) {
    ++published_;
  }
}

void MqttClient::stop() {
  if (!started_.exchange(false)) return;
  if (connected_ && !o_.availability_topic.empty()) {
    mosquitto_publish(m_, nullptr, o_.availability_topic.c_str(), 7, "offline", 1, true);
  }
  mosquitto_disconnect(m_);
  mosquitto_loop_stop(m_, false);
  connected_ = false;
}

void MqttClient::on_connect(mosquitto* m, void* self_ptr, int rc) {
  auto* self = static_cast<MqttClient*>(self_ptr);
  if (rc != 0) {
    spdlog::warn("mqtt: {}:{} refused the connection: {}", self->o_.host, self->o_.port, mosquitto_connack_string(rc));
    return;
  }
  std::lock_guard lock{self->mutex_};
  self->connected_ = true;
  for (const auto& s : self->subscriptions_) mosquitto_subscribe(m, nullptr, s.c_str(), 1);
  if (!self->o_.availability_topic.empty()) {
    mosquitto_publish(m, nullptr, self->o_.availability_topic.c_str(), 6, "online", 1, true);
  }
  spdlog::info("mqtt: connected to {}:{}", self->o_.host, self->o_.port);
}

void MqttClient::on_disconnect(mosquitto*, void* self_ptr, int rc) {
  auto* self = static_cast<MqttClient*>(self_ptr);
  self->connected_ = false;
  if (rc != 0) spdlog::warn("mqtt: connection to {}:{} lost; reconnecting", self->o_.host, self->o_.port);
}

void MqttClient::on_message(mosquitto*, void* self_ptr, const mosquitto_message* msg) {
  auto* self = static_cast<MqttClient*>(self_ptr);
  if (!self->on_message_ || msg->topic == nullptr) return;
  const std::string payload(static_cast<const char*>(msg->payload), static_cast<std::size_t>(msg->payloadlen));
  self->on_message_(msg->topic, payload);
}

}  // namespace wattshare
