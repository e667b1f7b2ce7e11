#include "core/json_fields.hpp"

#include <charconv>

#include <cmath>

#include <fmt/format.h>

namespace wattshare {

const Json* JsonFields::find(std::string_view dotted_key) const {
  const Json* node = &root_;
  std::size_t start = 0;
  while (start <= dotted_key.size()) {
    const std::size_t dot = dotted_key.find('.', start);
    const std::string_view part = dotted_key.substr(
        start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (node->is_array()) {  // "schedule.1": an array's element by index
      std::size_t i = 0;
      const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), i);
      if (ec != std::errc{} || end != part.data() + part.size() || i >= node->size()) return nullptr;
      node = &(*node)[i];
    } else {
      if (!node->is_object()) return nullptr;
      const auto it = node->find(part);
      if (it == node->end()) return nullptr;
      node = &*it;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return node;
}

bool JsonFields::root_is_object() {
  if (root_.is_object()) return true;
  fail_file("expected a JSON object at the top level");
  return false;
}

void JsonFields::fail(std::string_view key, std::string_view problem) {
  errors_.push_back(fmt::format("{}: key '{}{}': {}", origin_, prefix_, key, problem));
}

void JsonFields::warn(std::string_view key, std::string_view problem) {
  warnings_.push_back(fmt::format("{}: key '{}{}': {}", origin_, prefix_, key, problem));
}

void JsonFields::absorb(const JsonFields& nested) {
  errors_.insert(errors_.end(), nested.errors_.begin(), nested.errors_.end());
  warnings_.insert(warnings_.end(), nested.warnings_.begin(), nested.warnings_.end());
}

void JsonFields::fail_file(std::string_view problem) {
  errors_.push_back(fmt::format("{}: {}", origin_, problem));
}

Error JsonFields::failure() const {
  std::string all;
  for (const auto& e : errors_) {
    if (!all.empty()) all += '\n';
    all += e;
  }
  return Error::invalid_config(all);
}

const Json* JsonFields::require(std::string_view key, bool (Json::*is)() const noexcept,
                                std::string_view expected) {
  const Json* v = find(key);
  if (v == nullptr) {
    fail(key, fmt::format("missing (expected {})", expected));
    return nullptr;
  }
  if (!((*v).*is)()) {
    fail(key, fmt::format("expected {}, got {}", expected, describe_json(*v)));
    return nullptr;
  }
  return v;
}

double JsonFields::number(std::string_view key) {
  const Json* v = require(key, &Json::is_number, "a number");
  return v ? v->get<double>() : 0.0;
}

std::optional<double> JsonFields::optional_number(std::string_view key) {
  if (find(key) == nullptr) return std::nullopt;
  const Json* v = require(key, &Json::is_number, "a number");
  if (v == nullptr) return std::nullopt;
  return v->get<double>();
}

double JsonFields::number_or(std::string_view key, double fallback) {
  return optional_number(key).value_or(fallback);
}

long long JsonFields::integer(std::string_view key) {
  const Json* v = require(key, &Json::is_number, "an integer");
  if (v == nullptr) return 0;
  const double d = v->get<double>();
  // The range is checked before the cast: casting 1e300 to an integer is undefined behaviour.
  constexpr double kLimit = 9.0e18;
  if (!(d > -kLimit && d < kLimit) || d != std::trunc(d)) {
    fail(key, fmt::format("expected an integer, got {}", describe_json(*v)));
    return 0;
  }
  return static_cast<long long>(d);
}

long long JsonFields::integer_or(std::string_view key, long long fallback) {
  return find(key) == nullptr ? fallback : integer(key);
}

std::string JsonFields::string(std::string_view key) {
  const Json* v = require(key, &Json::is_string, "a string");
  return v ? v->get<std::string>() : std::string{};
}

std::string JsonFields::string_or(std::string_view key, std::string fallback) {
  return find(key) == nullptr ? std::move(fallback) : string(key);
}

bool JsonFields::boolean_or(std::string_view key, bool fallback) {
  if (find(key) == nullptr) return fallback;
  const Json* v = require(key, &Json::is_boolean, "true or false");
  return v ? v->get<bool>() : fallback;
}

std::vector<std::string> JsonFields::string_list(std::string_view key) {
  std::vector<std::string> out;
  const Json* v = require(key, &Json::is_array, "a list of strings");
  if (v == nullptr) return out;
  for (std::size_t i = 0; i < v->size(); ++i) {
    if (!(*v)[i].is_string()) {
      fail(key, fmt::format("item {}: expected a string, got {}", i, describe_json((*v)[i])));
      continue;
    }
    out.push_back((*v)[i].get<std::string>());
  }
  return out;
}

std::vector<std::string> JsonFields::string_list_or_empty(std::string_view key) {
  return find(key) == nullptr ? std::vector<std::string>{} : string_list(key);
}

const Json* JsonFields::object(std::string_view key, bool required) {
  if (!required && find(key) == nullptr) return nullptr;
  return require(key, &Json::is_object, "an object");
}

}  // namespace wattshare
