#include "surplus/surplus_http.hpp"

#include <fmt/format.h>

#include "core/json_file.hpp"
#include "surplus/mode_command.hpp"

namespace wattshare::surplus {
namespace {

HttpResponse json_response(int status, const Json& body) { return {status, "application/json", dump_json(body), {}}; }

HttpResponse error_response(int status, std::string message) {
  return json_response(status, Json{{"error", std::move(message)}});
}

}  // namespace

std::optional<HttpResponse> handle_surplus_request(SurplusController& c, const HttpRequest& r, const std::string& token) {
  auto target = parse_target(r.target);
  if (!target) return error_response(400, target.error().message);
  const std::string& path = target->path;
  if (!path.starts_with("/api/")) return std::nullopt;
  if (path == "/api/surplus") {
    if (r.method != "GET") return error_response(405, fmt::format("{} {}: use GET", r.method, path));
    return json_response(200, c.status());
  }
  if (path == "/api/surplus/mode") {
    if (r.method != "POST") return error_response(405, fmt::format("{} {}: use POST", r.method, path));
    if (!bearer_matches(r.authorization, token)) {
      return error_response(401, fmt::format("{}: a bearer token is required (Authorization: Bearer <token>)", path));
    }
    if (!r.content_type.starts_with("application/json")) {
      return error_response(415, fmt::format("{}: Content-Type must be application/json, got '{}'", path,
                                             r.content_type.substr(0, 60)));
    }
    auto cmd = parse_mode_payload(r.body, std::nullopt);
    if (!cmd) return error_response(400, fmt::format("{}: {}", path, cmd.error().message));
    if (auto done = c.set_mode(cmd->load, cmd->mode, cmd->duration); !done) {
      return error_response(400, fmt::format("{}: {}", path, done.error().message));
    }
    return json_response(200, c.status());
  }
  return error_response(404, fmt::format("no such endpoint: {}", path));
}

}  // namespace wattshare::surplus
