#include "devices/home/mqtt_output.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/json_path.hpp"

namespace wattshare::home {
namespace {

constexpr Duration kRefresh = seconds(30), kResend = seconds(5), kDisagree = seconds(10);

bool same_word(std::string a, std::string b) {
  auto lower = [](std::string& s) { std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return std::tolower(ch); }); };
  lower(a);
  lower(b);
  return a == b;
}

}  // namespace

MqttOutput::MqttOutput(const surplus::MqttOutputConfig& c, Value v, std::string what, MqttBus& bus)
    : c_(c), value_(v), what_(std::move(what)), bus_(bus) {
  bus_.watch(c_.state_topic);
}

std::string MqttOutput::payload(int value) const {
  return value_ == Value::kPercent ? c_.payload_for(value) : c_.payload_for(value != 0);
}

void MqttOutput::take_report() {
  const auto m = bus_.last(c_.state_topic);
  if (!m || m->count == seen_) return;
  seen_ = m->count;
  if (value_ == Value::kPercent) {
    // A report without the field (Tasmota's RESULT answers other commands too) changes nothing.
    if (const auto v = number_in_payload(m->payload, c_.state_field)) {
      reported_ = static_cast<int>(std::lround(std::clamp(*v / c_.state_max * 100, 0.0, 100.0)));
    }
  } else if (const auto t = text_in_payload(m->payload, c_.state_field)) {
    if (same_word(*t, c_.on_word) || *t == "true" || *t == "1") reported_ = 1;
    if (same_word(*t, c_.off_word) || *t == "false" || *t == "0") reported_ = 0;
  }
}

void MqttOutput::command(TimePoint now, int value) {
  take_report();
  const bool agrees = reported_ == value;
  const bool send = commanded_ != value || !sent_ || now - *sent_ >= kRefresh || (!agrees && now - *sent_ >= kResend);
  if (commanded_ != value) since_.reset();
  commanded_ = value;
  if (send) {
    bus_.publish(c_.command_topic, payload(value));
    sent_ = now;
  }
  if (agrees) {
    since_.reset();
    error_.clear();
    return;
  }
  if (!since_) since_ = now;
  if (now - *since_ >= kDisagree && error_.empty()) {
    error_ = fmt::format("{} mqtt {}: commanded {} for {} s, {} reports {}", what_, c_.command_topic, payload(value),
                         to_seconds(now - *since_), c_.state_topic,
                         reported_ ? std::to_string(*reported_) : std::string("nothing"));
    if (!bus_.connected()) error_ += " (the broker is not connected)";
    spdlog::warn("{}", error_);
  }
}

void MqttOutput::switch_off() { bus_.publish(c_.command_topic, payload(0)); }

}  // namespace wattshare::home
