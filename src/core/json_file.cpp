#include "core/json_file.hpp"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace wattshare {
namespace {

// 1-based line and column of byte `offset` in `text`.
std::pair<std::size_t, std::size_t> line_column(std::string_view text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

}  // namespace

tl::expected<Json, Error> parse_json_text(std::string_view text, std::string_view origin) {
  try {
    // allow_exceptions=true, ignore_comments=true. Repeated keys: nlohmann's DOM parser assigns
    // through operator[], so the last occurrence wins, as in Jackson (APIS's reader).
    return Json::parse(text.begin(), text.end(), nullptr, true, true);
  } catch (const Json::parse_error& e) {
    const std::size_t at = e.byte > 0 ? e.byte - 1 : 0;
    const auto [line, column] = line_column(text, at);
    std::string what = e.what();
    // nlohmann's message starts with "[json.exception.parse_error.101] parse error at line..."
    if (const auto p = what.find(": "); p != std::string::npos) what = what.substr(p + 2);
    return tl::unexpected(Error::invalid_config(
        fmt::format("{}:{}:{}: JSON syntax error: {}", origin, line, column, what)));
  } catch (const Json::out_of_range& e) {  // a number beyond a double, e.g. 7e777
    std::string what = e.what();
    if (const auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    return tl::unexpected(Error::invalid_config(fmt::format("{}: {}", origin, what)));
  }
}

tl::expected<std::string, Error> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return tl::unexpected(Error::invalid_config(fmt::format("{}: cannot open file", path)));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

tl::expected<Json, Error> load_json_file(const std::string& path) {
  return read_text_file(path).and_then([&](const std::string& text) { return parse_json_text(text, path); });
}

std::string dump_json(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string describe_json(const Json& value) {
  std::string dump = dump_json(value);
  if (dump.size() > 40) dump = dump.substr(0, 37) + "...";
  return fmt::format("{} {}", value.type_name(), dump);
}

}  // namespace wattshare
