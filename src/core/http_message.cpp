#include "core/http_message.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "core/secret.hpp"

namespace wattshare {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

tl::expected<std::string, Error> decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size() || hex_value(s[i + 1]) < 0 || hex_value(s[i + 2]) < 0)
        return tl::unexpected(Error::bad_input(fmt::format("bad percent escape in '{}'", s)));
      c = static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return tl::unexpected(Error::bad_input("control character in request target"));
    out.push_back(c);
  }
  return out;
}

}  // namespace

tl::expected<ParsedTarget, Error> parse_target(std::string_view target) {
  ParsedTarget t;
  const auto q = target.find('?');
  auto path = decode(target.substr(0, q), false);
  if (!path) return tl::unexpected(path.error());
  t.path = std::move(*path);
  if (t.path.empty() || t.path[0] != '/')
    return tl::unexpected(Error::bad_input("request target must start with '/'"));
  if (q == std::string_view::npos) return t;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto name = decode(pair.substr(0, eq), true);
    if (!name) return tl::unexpected(name.error());
    auto value = decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
    if (!value) return tl::unexpected(value.error());
    if (name->empty()) return tl::unexpected(Error::bad_input("empty query parameter name"));
    if (!t.query.emplace(std::move(*name), std::move(*value)).second)
      return tl::unexpected(Error::bad_input(
          fmt::format("query parameter '{}' is given more than once", pair.substr(0, eq))));
  }
  return t;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start < path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    if (end > start) parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

bool parse_decimal(std::string_view text, double& out) {
  if (text.empty() || text.size() > 64) return false;
  for (char c : text)
    if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'))
      return false;
  const std::string s{text};
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v)) return false;
  out = v;
  return true;
}

HttpResponse text_response(std::string body, std::string content_type) {
  HttpResponse r;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

HttpResponse json_response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

namespace {

bool is_ipv4_literal(std::string_view name) {
  int dots = 0, digits = 0;
  for (char c : name) {
    if (c == '.') {
      if (digits == 0) return false;
      ++dots;
      digits = 0;
    } else if (c >= '0' && c <= '9' && digits < 3) {
      ++digits;
    } else {
      return false;
    }
  }
  return dots == 3 && digits > 0;
}

// Host without its port, lowercased, and its port (0 when absent); nullopt when malformed.
std::optional<std::pair<std::string, int>> split_host(std::string_view host) {
  std::string name;
  std::string_view port;
  if (!host.empty() && host.front() == '[') {  // [v6]:port
    const auto close = host.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    name = std::string(host.substr(0, close + 1));
    const std::string_view rest = host.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return std::nullopt;
    if (!rest.empty()) port = rest.substr(1);
  } else {
    const auto colon = host.rfind(':');
    name = std::string(host.substr(0, colon));
    if (colon != std::string_view::npos) port = host.substr(colon + 1);
  }
  int p = 0;
  if (port.size() > 5) return std::nullopt;
  for (char c : port) {
    if (c < '0' || c > '9') return std::nullopt;
    p = p * 10 + (c - '0');
  }
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return std::pair{name, port.empty() ? 0 : p};
}

HttpResponse refused(int status, const std::string& message) {
  std::string escaped;
  for (char c : message) {
    if (c == '"' || c == '\\') escaped.push_back('\\');
    if (static_cast<unsigned char>(c) >= 0x20) escaped.push_back(c);
  }
  return json_response(status, "{\"error\":\"" + escaped + "\"}");
}

}  // namespace

bool bearer_matches(std::string_view authorization, std::string_view token) {
  constexpr std::string_view kBearer = "Bearer ";
  if (token.empty() || !authorization.starts_with(kBearer)) return false;
  return secrets_equal(authorization.substr(kBearer.size()), token);
}

std::optional<HttpResponse> refusal(const HttpRequest& r, const ListenerAccess& a) {
  // A page on a name that resolves here (DNS rebinding) sends that name as Host: only IP
  // literals, localhost and the configured names are this server.
  if (!r.host.empty()) {
    const auto host = split_host(r.host);
    bool ours = host && (host->second == 0 || a.port == 0 || host->second == a.port);
    if (ours) {
      const std::string& name = host->first;
      ours = is_ipv4_literal(name) || (name.size() > 2 && name.front() == '[') || name == "localhost";
      for (const auto& n : a.host_names) ours = ours || name == n;
    }
    if (!ours) return refused(403, fmt::format("Host '{}' is not this server", r.host.substr(0, 100)));
  }
  if (a.callers == ListenerAccess::Callers::kPrograms) {
    if (!r.origin.empty() || r.sec_fetch) {
      return refused(403, "requests from web pages are refused here (an Origin or Sec-Fetch header): this port is for programs");
    }
  } else {
    // A page of another site may link to or embed a read (CORS keeps it from reading the
    // answer); it may send nothing else, and no WebSocket (which always carries its Origin).
    const bool same_origin = r.origin.empty() || (!r.host.empty() && r.origin == "http://" + r.host);
    const bool read = r.method == "GET" || r.method == "HEAD";
    const bool fetch_ok =
        read || r.sec_fetch_site.empty() || r.sec_fetch_site == "same-origin" || r.sec_fetch_site == "none";
    if (!same_origin || !fetch_ok) {
      return refused(403, fmt::format("a request from another site ({}) is refused",
                                      r.origin.empty() ? "Sec-Fetch-Site " + r.sec_fetch_site.substr(0, 40) : r.origin.substr(0, 100)));
    }
  }
  if (!a.token.empty() && !bearer_matches(r.authorization, a.token)) {
    return refused(401, "a bearer token is required (Authorization: Bearer <token>)");
  }
  return std::nullopt;
}

}  // namespace wattshare
