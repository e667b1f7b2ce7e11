// What the surplus daemon says and hears over MQTT, as evcc and the PV routers do (reference
// pv-surplus.md §1.11, §3.1): the whole status as JSON on `<prefix>/state`, each figure on its own
// topic (`<prefix>/surplus_w`, `<prefix>/ev/mode`, …) for simple subscribers, Home Assistant
// discovery configs (retained, under `homeassistant/…`) for sensors and mode selects, and
// Domoticz `domoticz/in` messages ({"idx", "nvalue", "svalue"}) for configured devices. Commands
// arrive on `<prefix>/mode/set` (every load) or `<prefix>/<load>/mode/set`, as "boost" or
// {"mode": "boost", "duration_s": 3600}. Pure: the daemon moves the bytes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "core/error.hpp"
#include "core/json_file.hpp"
#include "surplus/surplus_config.hpp"
#include "surplus/mode_command.hpp"

namespace wattshare::surplus {

struct MqttMessage {
  std::string topic, payload;
  bool retain = false;
  bool operator==(const MqttMessage&) const = default;
};

[[nodiscard]] std::string availability_topic(const MqttConfig& c);
// Topic filters the daemon subscribes to.
[[nodiscard]] std::vector<std::string> command_topics(const MqttConfig& c);
// The status (SurplusController::status()) as state messages, Domoticz ones included.
[[nodiscard]] std::vector<MqttMessage> state_messages(const MqttConfig& c, const Json& status);
// Home Assistant discovery for the loads present (empty unless enabled).
[[nodiscard]] std::vector<MqttMessage> discovery_messages(const MqttConfig& c, const Json& status);
// A message on a command topic; the error says what is wrong with it.
[[nodiscard]] tl::expected<ModeCommand, Error> parse_mode_command(const MqttConfig& c, std::string_view topic,
                                                                  std::string_view payload);

}  // namespace wattshare::surplus
