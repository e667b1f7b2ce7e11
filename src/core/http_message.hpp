// Plain HTTP request/response values passed between the transport (net/http_server, Beast) and
// the handlers that decide (devices/apis_http, api/). Handlers never see a socket.
//   HttpResponse r = handler(HttpRequest{"GET", "/get/unit/E001", {}, {}});
//   if (auto no = refusal(request, access)) return *no;
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "core/error.hpp"

namespace wattshare {

struct HttpRequest {
  std::string method = "GET";
  std::string target;  // path and query, as received: "/set/dcdc/E001?mode=0x0014&dvg=350"
  std::string body;
  std::string authorization;  // the Authorization header, if any
  // What tells a browser's request from a program's (ListenerAccess).
  std::string host;            // the Host header
  std::string origin;          // the Origin header ("" when absent)
  std::string sec_fetch_site;  // Sec-Fetch-Site ("" when absent)
  bool sec_fetch = false;      // any Sec-Fetch-* header at all
  std::string content_type;    // the Content-Type header
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Who may talk to a listener (DESIGN.md, principle 6), checked before its handler runs.
struct ListenerAccess {
  enum class Callers {
    kPrograms,  // a device driver: nothing a browser sends (any Origin or Sec-Fetch-* header)
    kOwnPages,  // an operator API with its pages: browsers only from this listener's own origin
  } callers = Callers::kPrograms;
  std::uint16_t port = 0;               // the listener's port (Host and Origin must name it)
  std::vector<std::string> host_names;  // names Host may carry besides IP literals and localhost
  std::string token;                    // when set, every request needs "Authorization: Bearer <token>"
};

// The refusal of a request this listener must not serve: 403 for a browser it does not serve or
// a Host that is not this server (a DNS-rebinding page), 401 for a missing or wrong token.
[[nodiscard]] std::optional<HttpResponse> refusal(const HttpRequest& r, const ListenerAccess& a);
// Whether `authorization` is "Bearer <token>", compared in constant time.
[[nodiscard]] bool bearer_matches(std::string_view authorization, std::string_view token);

struct ParsedTarget {
  std::string path;                           // percent-decoded
  std::map<std::string, std::string> query;  // percent-decoded; a repeated name is an error
};

// Splits and decodes "/a/b?x=1&y=%32"; rejects bad escapes, repeated names and control bytes.
[[nodiscard]] tl::expected<ParsedTarget, Error> parse_target(std::string_view target);

// "/get/unit/E001" -> {"get", "unit", "E001"}; empty segments are dropped.
std::vector<std::string_view> split_path(std::string_view path);

// A strict decimal number: the whole text, finite ("350", "2.3", "-1e-3"); no hex, no "nan".
[[nodiscard]] bool parse_decimal(std::string_view text, double& out);

HttpResponse json_response(int status, std::string body);
// A 200 with any content type (CSV, Prometheus text).
HttpResponse text_response(std::string body, std::string content_type);

}  // namespace wattshare
