// Comment-tolerant JSON as APIS writes it: `//` and `/* */` comments, repeated keys (the last
// one wins; APIS's exe files repeat "#" as a comment key), tabs. Errors name the origin (file)
// and the line and column.
//   auto doc = load_json_file("examples/apis-sample/policy.json");
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "core/error.hpp"

namespace wattshare {

// Ordered: APIS picks the first matching scenario time slice in file order.
using Json = nlohmann::ordered_json;

[[nodiscard]] tl::expected<Json, Error> parse_json_text(std::string_view text,
                                                        std::string_view origin);
[[nodiscard]] tl::expected<Json, Error> load_json_file(const std::string& path);
// A file's whole text; an error names the path.
[[nodiscard]] tl::expected<std::string, Error> read_text_file(const std::string& path);

// Serialises for the wire: invalid UTF-8 (from a request echoed in an error) becomes U+FFFD
// instead of an exception.
std::string dump_json(const Json& value);

// A short, printable description of a JSON value's type for error messages: "string \"abc\"".
std::string describe_json(const Json& value);

// The whole number `v` holds, when it fits T; nullopt for a float, a string or a number out of
// range. Never get<int>() on a value from outside: nlohmann casts a float such as 1e300 to the
// integer type, which is undefined behaviour.
template <std::integral T>
std::optional<T> whole_number(const Json& v) {
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (std::in_range<T>(u)) return static_cast<T>(u);
  } else if (v.is_number_integer()) {
    const auto s = v.get<std::int64_t>();
    if (std::in_range<T>(s)) return static_cast<T>(s);
  }
  return std::nullopt;
}

}  // namespace wattshare
