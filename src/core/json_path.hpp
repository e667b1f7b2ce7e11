// A number inside a device's JSON answer, found by a dotted path: "ext_temperature.0.tC" (array
// indexes as numbers), "emeters.*.power" ("*": the sum over an array), or "" for a payload that is
// itself a number (Home Assistant and Tasmota state topics send "1234.5").
//   auto w = number_in_payload(R"({"total_power": -812.4})", "total_power");  // -812.4
#pragma once

#include <optional>
#include <string_view>

#include "core/json_file.hpp"

namespace wattshare {

// nullopt when the path leads nowhere or to something not a finite number.
[[nodiscard]] std::optional<double> number_at(const Json& doc, std::string_view path);
// The payload parsed as JSON (a plain number is JSON too) and the number at `path` in it.
[[nodiscard]] std::optional<double> number_in_payload(std::string_view payload, std::string_view path);
// The text at `path` ("" for the whole payload, unquoted), for a relay's "ON"/"OFF"; a JSON boolean
// gives "true" or "false".
[[nodiscard]] std::optional<std::string> text_in_payload(std::string_view payload, std::string_view path);

}  // namespace wattshare
