#include "core/http_message.hpp"

#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

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

HttpResponse json_response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace wattshare
