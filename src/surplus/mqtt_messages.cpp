#include "surplus/mqtt_messages.hpp"

#include <fmt/format.h>

namespace wattshare::surplus {
namespace {

// Figures published on their own topics: (topic under the prefix, JSON pointer into the status).
struct Figure {
  const char* topic;
  const char* pointer;
  const char* name;
  const char* unit;
  const char* device_class;
};
constexpr Figure kFigures[] = {
    {"surplus_w", "/surplus_w", "Surplus", "W", "power"},
    {"grid_export_w", "/grid_export_w", "Grid export", "W", "power"},
    {"available_amps", "/available_amps", "Available current", "A", "current"},
    {"pulling_amps", "/pulling_amps", "Charging current", "A", "current"},
    {"ev/power_w", "/ev/power_w", "EV power", "W", "power"},
    {"ev/command_a", "/ev/command_a", "EV current limit", "A", "current"},
    {"dimmer/pct", "/dimmer/command_pct", "Water heater dimmer", "%", nullptr},
    {"dimmer/power_w", "/dimmer/power_w", "Water heater power", "W", "power"},
    {"dimmer/temperature_c", "/dimmer/temperature_c", "Water temperature", "°C", "temperature"},
    {"relay/power_w", "/relay/power_w", "Relay load power", "W", "power"},
    {"safe_state", "/safe_state", "Safe state", nullptr, nullptr},
};

// Domoticz fields (kDomoticzFields) → status pointers.
std::string domoticz_pointer(const std::string& field) {
  if (field == "ev_amps") return "/ev/actual_a";
  if (field == "ev_power_w") return "/ev/power_w";
  if (field == "dimmer_pct") return "/dimmer/command_pct";
  if (field == "dimmer_power_w") return "/dimmer/power_w";
  if (field == "relay_on") return "/relay/on";
  return "/" + field;
}

// A figure of a load the house does not have ("relay/…" without a relay) is not published.
bool load_present(const Json& status, std::string_view topic) {
  const auto slash = topic.find('/');
  if (slash == std::string_view::npos) return true;
  const std::string load{topic.substr(0, slash)};
  return status.contains(load) && status[load].value("present", false);
}

std::string plain(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  if (v.is_number_float()) return fmt::format("{:.6g}", v.get<double>());
  return v.dump();
}

std::string object_id(const MqttConfig&, const Json& status, std::string_view what) {
  std::string id = fmt::format("wattshare_{}_{}", status.value("name", "house"), what);
  for (char& ch : id) {
    if (ch == '/' || ch == '-' || ch == '.') ch = '_';
  }
  return id;
}

}  // namespace

std::string availability_topic(const MqttConfig& c) { return c.prefix + "/status"; }

std::vector<std::string> command_topics(const MqttConfig& c) {
  return {c.prefix + "/mode/set", c.prefix + "/+/mode/set"};
}

std::vector<MqttMessage> state_messages(const MqttConfig& c, const Json& status) {
  std::vector<MqttMessage> out;
  out.push_back({c.prefix + "/state", dump_json(status), true});
  for (const Figure& f : kFigures) {
    const Json::json_pointer p{f.pointer};
    if (status.contains(p) && load_present(status, f.topic)) out.push_back({c.prefix + "/" + f.topic, plain(status.at(p)), false});
  }
  for (const char* load : {"ev", "dimmer", "relay"}) {
    if (status.contains(load) && status[load].value("present", false)) {
      out.push_back({fmt::format("{}/{}/mode", c.prefix, load), status[load].value("mode", ""), true});
    }
  }
  for (const auto& [field, idx] : c.domoticz_idx) {
    const std::string pointer = domoticz_pointer(field);
    const Json::json_pointer p{pointer};
    if (!status.contains(p) || status.at(p).is_null() || !load_present(status, pointer.substr(1))) continue;
    const Json& v = status.at(p);
    // Switches carry their state in nvalue; meters in svalue as text.
    const Json msg = v.is_boolean() ? Json{{"idx", idx}, {"nvalue", v.get<bool>() ? 1 : 0}, {"svalue", ""}}
                                    : Json{{"idx", idx}, {"nvalue", 0}, {"svalue", plain(v)}};
    out.push_back({c.domoticz_topic, dump_json(msg), false});
  }
  return out;
}

std::vector<MqttMessage> discovery_messages(const MqttConfig& c, const Json& status) {
  std::vector<MqttMessage> out;
  if (!c.homeassistant) return out;
  const std::string name = status.value("name", "house");
  const Json device{{"identifiers", Json::array({"wattshare_" + name})},
                    {"name", "wattshare " + name},
                    {"manufacturer", "wattshare"},
                    {"model", "PV-surplus router"}};
  const std::string node = object_id(c, status, "router");
  for (const Figure& f : kFigures) {
    const Json::json_pointer p{f.pointer};
    if (!status.contains(p) || !load_present(status, f.topic)) continue;
    const bool binary = std::string_view(f.topic) == "safe_state";
    std::string id = object_id(c, status, f.topic);
    Json cfg{{"name", f.name},
             {"unique_id", id},
             {"object_id", id},
             {"state_topic", c.prefix + "/" + f.topic},
             {"availability_topic", availability_topic(c)},
             {"device", device}};
    if (f.unit != nullptr) cfg["unit_of_measurement"] = f.unit;
    if (f.device_class != nullptr) cfg["device_class"] = f.device_class;
    if (binary) {
      cfg["payload_on"] = "true";
      cfg["payload_off"] = "false";
      cfg["device_class"] = "problem";
    } else {
      cfg["state_class"] = "measurement";
    }
    out.push_back({fmt::format("{}/{}/{}/{}/config", c.discovery_prefix, binary ? "binary_sensor" : "sensor", node,
                               id),
                   dump_json(cfg), true});
  }
  for (const char* load : {"ev", "dimmer", "relay"}) {
    if (!status.contains(load) || !status[load].value("present", false)) continue;
    const std::string id = object_id(c, status, std::string(load) + "_mode");
    const Json cfg{{"name", fmt::format("{} mode", load == std::string_view("ev") ? "EV" : load == std::string_view("dimmer") ? "Water heater" : "Relay")},
                   {"unique_id", id},
                   {"object_id", id},
                   {"state_topic", fmt::format("{}/{}/mode", c.prefix, load)},
                   {"command_topic", fmt::format("{}/{}/mode/set", c.prefix, load)},
                   {"options", Json::array({"off", "eco", "boost", "scheduled"})},
                   {"availability_topic", availability_topic(c)},
                   {"device", device}};
    out.push_back({fmt::format("{}/select/{}/{}/config", c.discovery_prefix, node, id), dump_json(cfg), true});
  }
  return out;
}

tl::expected<ModeCommand, Error> parse_mode_command(const MqttConfig& c, std::string_view topic,
                                                    std::string_view payload) {
  auto bad = [&](std::string_view why) {
    return tl::unexpected(Error::bad_input(fmt::format("mqtt {}: {}", topic, why)));
  };
  const std::string head = c.prefix + "/";
  constexpr std::string_view kTail = "mode/set";
  if (!topic.starts_with(head) || !topic.ends_with(kTail) || topic.size() < head.size() + kTail.size()) {
    return bad("not a command topic");
  }
  std::string_view middle = topic.substr(head.size(), topic.size() - head.size() - kTail.size());
  std::optional<Load> load;
  if (!middle.empty()) {
    if (!middle.ends_with('/')) return bad("not a command topic");
    middle.remove_suffix(1);
    load = parse_load(middle);
    if (!load) return bad(fmt::format("unknown load \"{}\" (ev, dimmer or relay)", middle));
  }
  auto cmd = parse_mode_payload(payload, load);
  if (!cmd) return bad(cmd.error().message);
  return cmd;
}

}  // namespace wattshare::surplus
