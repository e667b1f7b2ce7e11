// Secrets at rest and in comparison: bearer tokens and passwords made from the system's random
// source, written to files that only their owner can read (created so, never chmod'ed after:
// no moment when another user could open them), and compared in constant time.
//   auto token = make_secret_file(dir / "token");   // or read_secret_file when it exists
//   if (secrets_equal(given, *token)) ...
#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "core/error.hpp"

namespace wattshare {

// `bytes` random bytes from /dev/urandom (getrandom), as lowercase hex.
[[nodiscard]] std::string random_secret(std::size_t bytes = 16);

// Creates `path` with mode 0600 (O_CREAT | O_EXCL: it must not exist) holding `secret` and a newline.
[[nodiscard]] tl::expected<void, Error> write_secret_file(const std::string& path, const std::string& secret);

// The first line of `path`, which only its owner may read or write (mode 0600 or stricter):
// a secret that others can read is refused, naming the file and its mode.
[[nodiscard]] tl::expected<std::string, Error> read_secret_file(const std::string& path);

// The secret in `path`, made (random_secret) and written there when the file does not exist.
[[nodiscard]] tl::expected<std::string, Error> load_or_make_secret_file(const std::string& path);

// Equality whose time does not depend on where the texts differ (only on their lengths).
[[nodiscard]] bool secrets_equal(std::string_view a, std::string_view b);

}  // namespace wattshare
