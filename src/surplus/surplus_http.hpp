// The surplus daemon's REST API over a controller (the caller holds its lock):
//   GET  /api/surplus        the status (as on the WebSocket and MQTT)
//   POST /api/surplus/mode   {"mode": "boost", "load": "ev", "duration_s": 3600} — the Boost/Eco
//                            buttons; answers the new status, or 400 {"error": "…"}. Needs
//                            "Authorization: Bearer <token>" (401) and Content-Type
//                            application/json (415: what a web page's form cannot send)
// Anything else under /api/ is a 404 or 405 with an {"error"}; other paths are not ours (nullopt).
#pragma once

#include <optional>

#include "core/http_message.hpp"
#include "surplus/surplus_controller.hpp"

namespace wattshare::surplus {

[[nodiscard]] std::optional<HttpResponse> handle_surplus_request(SurplusController& c, const HttpRequest& r,
                                                                const std::string& token);

}  // namespace wattshare::surplus
