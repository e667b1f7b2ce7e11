#include "surplus/mode_command.hpp"

#include <cctype>

#include <fmt/format.h>

#include "core/json_file.hpp"

namespace wattshare::surplus {

tl::expected<ModeCommand, Error> parse_mode_payload(std::string_view payload, std::optional<Load> load) {
  auto bad = [](std::string why) { return tl::unexpected(Error::bad_input(std::move(why))); };
  while (!payload.empty() && std::isspace(static_cast<unsigned char>(payload.front()))) payload.remove_prefix(1);
  while (!payload.empty() && std::isspace(static_cast<unsigned char>(payload.back()))) payload.remove_suffix(1);
  ModeCommand cmd;
  cmd.load = load;
  std::string mode_text{payload};
  if (payload.starts_with('{')) {
    auto doc = parse_json_text(payload, "payload");
    if (!doc) return bad(doc.error().message);
    const Json& d = *doc;
    if (!d.contains("mode") || !d["mode"].is_string()) return bad("expected {\"mode\": \"off|eco|boost|scheduled\"}");
    mode_text = d["mode"].get<std::string>();
    if (d.contains("load")) {
      const Json& l = d["load"];
      cmd.load = l.is_string() ? parse_load(l.get<std::string>()) : std::nullopt;
      if (!cmd.load) return bad(fmt::format("unknown load {} (ev, dimmer or relay)", describe_json(l)));
    }
    if (d.contains("duration_s")) {
      const Json& s = d["duration_s"];
      if (!s.is_number() || !(s.get<double>() > 0) || s.get<double>() > 7 * 86400) {
        return bad(fmt::format("duration_s must be a number of seconds in (0, 604800], got {}", describe_json(s)));
      }
      cmd.duration = from_seconds(s.get<double>());
    }
  }
  const auto mode = parse_mode(mode_text);
  if (!mode) return bad(fmt::format("unknown mode \"{}\" ({})", mode_text, kModeChoices));
  cmd.mode = *mode;
  return cmd;
}

}  // namespace wattshare::surplus
