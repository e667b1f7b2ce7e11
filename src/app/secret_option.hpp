// The secret named by an optional `--…-file` option (a bearer token, a password): none when the
// option is not given; an error naming the option when the file cannot be used (unreadable, or
// readable by others: core/secret.hpp).
//   auto token = secret_option(o.token_file, "--token-file");
#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "core/secret.hpp"

namespace wattshare::app {

inline tl::expected<std::string, Error> secret_option(const std::string& file, std::string_view option) {
  if (file.empty()) return std::string();
  auto secret = read_secret_file(file);
  if (!secret) return tl::unexpected(Error{secret.error().code, fmt::format("{}: {}", option, secret.error().message)});
  return secret;
}

}  // namespace wattshare::app
