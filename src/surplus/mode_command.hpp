// A mode change as the Boost/Eco buttons, the REST API and MQTT send it: the bare mode ("boost")
// or {"mode": "boost", "load": "ev", "duration_s": 3600}; no load means every load present.
#pragma once

#include <optional>
#include <string_view>

#include <tl/expected.hpp>

#include "core/error.hpp"
#include "surplus/surplus_controller.hpp"

namespace wattshare::surplus {

struct ModeCommand {
  std::optional<Load> load;
  Mode mode = Mode::kEco;
  std::optional<Duration> duration;
};

// `load` comes from the topic or path when the payload does not name one.
[[nodiscard]] tl::expected<ModeCommand, Error> parse_mode_payload(std::string_view payload, std::optional<Load> load);

}  // namespace wattshare::surplus
