// The dashboard's built files (web/dist) over HTTP: GET only, never outside the root, the
// content type from the extension, "/" → index.html, long caching for Vite's hashed assets.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/http_message.hpp"

namespace wattshare {

// nullopt when there is no such file (the caller answers 404 its own way).
std::optional<HttpResponse> serve_static(const std::string& root, std::string_view path);

}  // namespace wattshare
