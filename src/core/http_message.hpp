// Plain HTTP request/response values passed between the transport (net/http_server, Beast) and
// the handlers that decide (devices/apis_http, api/). Handlers never see a socket.
//   HttpResponse r = handler(HttpRequest{"GET", "/get/unit/E001", {}, {}});
#pragma once

#include <map>
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
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

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

}  // namespace wattshare
