#include "core/json_path.hpp"

#include <charconv>
#include <cmath>
#include <string>

namespace wattshare {
namespace {

std::optional<double> finite(const Json& j) {
  if (!j.is_number()) return std::nullopt;
  const double v = j.get<double>();
  return std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
}

const Json* child(const Json& at, std::string_view part) {
  if (at.is_object()) {
    const auto it = at.find(std::string(part));
    return it == at.end() ? nullptr : &*it;
  }
  if (!at.is_array()) return nullptr;
  std::size_t i = 0;
  const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), i);
  if (ec != std::errc{} || end != part.data() + part.size() || i >= at.size()) return nullptr;
  return &at[i];
}

const Json* value_at(const Json& doc, std::string_view path) {
  const Json* at = &doc;
  while (at != nullptr && !path.empty()) {
    const auto dot = path.find('.');
    at = child(*at, path.substr(0, dot));
    path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
  }
  return at;
}

std::optional<Json> parsed(std::string_view payload) {
  Json doc = Json::parse(payload, nullptr, false);
  if (doc.is_discarded()) return std::nullopt;
  return doc;
}

}  // namespace

std::optional<double> number_at(const Json& doc, std::string_view path) {
  const auto star = path.find('*');
  if (star == std::string_view::npos) {
    const Json* v = value_at(doc, path);
    return v ? finite(*v) : std::nullopt;
  }
  // "a.*.b": the sum of b over the array at a.
  const std::string_view head = star == 0 ? std::string_view{} : path.substr(0, star - 1);
  const std::string_view tail = star + 1 < path.size() ? path.substr(star + 2) : std::string_view{};
  const Json* list = value_at(doc, head);
  if (list == nullptr || !list->is_array() || list->empty()) return std::nullopt;
  double sum = 0;
  for (const Json& item : *list) {
    const auto v = number_at(item, tail);
    if (!v) return std::nullopt;
    sum += *v;
  }
  return sum;
}

std::optional<double> number_in_payload(std::string_view payload, std::string_view path) {
  auto doc = parsed(payload);
  if (!doc) return std::nullopt;
  return number_at(*doc, path);
}

std::optional<std::string> text_in_payload(std::string_view payload, std::string_view path) {
  auto doc = parsed(payload);
  if (!doc) {
    if (!path.empty()) return std::nullopt;
    return std::string(payload);  // "ON": not JSON, the text itself
  }
  const Json* v = value_at(*doc, path);
  if (v == nullptr) return std::nullopt;
  if (v->is_string()) return v->get<std::string>();
  if (v->is_boolean()) return v->get<bool>() ? "true" : "false";
  if (v->is_number()) return v->dump();
  return std::nullopt;
}

}  // namespace wattshare
