// Typed, path-aware reading of a parsed JSON config: every missing key or wrong type becomes one
// message "<file>: key '<a.b.c>': <problem>", collected so a user sees all problems at once.
//   JsonFields f{doc, "policy.json"};
//   double v = f.number("operationGridVoltageV");
//   if (!f.ok()) return f.failure();
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_file.hpp"

namespace wattshare {

class JsonFields {
 public:
  // `key_prefix` is prepended to keys in messages, for a reader of a nested object.
  JsonFields(const Json& root, std::string origin, std::string key_prefix = {})
      : root_(root), origin_(std::move(origin)), prefix_(std::move(key_prefix)) {}

  // False (with the problem recorded) unless the document is a JSON object.
  bool root_is_object();

  // Dotted keys walk nested objects and arrays: "safety.range.dcdc.meter.vg.min", "ev.schedule.1.from".
  [[nodiscard]] const Json* find(std::string_view dotted_key) const;

  double number(std::string_view key);
  double number_or(std::string_view key, double fallback);
  std::optional<double> optional_number(std::string_view key);
  long long integer(std::string_view key);
  long long integer_or(std::string_view key, long long fallback);
  std::string string(std::string_view key);
  std::string string_or(std::string_view key, std::string fallback);
  bool boolean_or(std::string_view key, bool fallback);
  std::vector<std::string> string_list(std::string_view key);
  std::vector<std::string> string_list_or_empty(std::string_view key);
  // The object at `key`, or nullptr (with an error when required and absent or not an object).
  const Json* object(std::string_view key, bool required = true);

  // Records a problem with `key` ("must be > 0, got -1").
  void fail(std::string_view key, std::string_view problem);
  void fail_file(std::string_view problem);
  // Records something the file's original program (APIS) accepts with a WARN: the file loads,
  // and `wattshare config check` and the programs show it.
  void warn(std::string_view key, std::string_view problem);
  // Takes over the problems found by a reader of a nested object.
  void absorb(const JsonFields& nested);

  [[nodiscard]] bool ok() const { return errors_.empty(); }
  [[nodiscard]] const std::vector<std::string>& errors() const { return errors_; }
  [[nodiscard]] const std::vector<std::string>& warnings() const { return warnings_; }
  [[nodiscard]] const std::string& origin() const { return origin_; }
  [[nodiscard]] const Json& root() const { return root_; }
  // All messages joined by newlines, as one invalid_config Error.
  [[nodiscard]] Error failure() const;

 private:
  const Json* require(std::string_view key, bool (Json::*is)() const noexcept,
                      std::string_view expected);

  const Json& root_;
  std::string origin_;
  std::string prefix_;
  std::vector<std::string> errors_;
  std::vector<std::string> warnings_;
};

}  // namespace wattshare
