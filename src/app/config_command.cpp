// `wattshare config check`: load files the way the programs will, report every problem.
#include <filesystem>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "config/community.hpp"
#include "config/config_set.hpp"
#include "core/json_file.hpp"

namespace wattshare::app {
namespace {

// Which APIS file a document is, by the keys that only that file has.
tl::expected<std::string, Error> check_file(const std::string& path) {
  auto doc = load_json_file(path);
  if (!doc) return tl::unexpected(doc.error());
  if (!doc->is_object())
    return tl::unexpected(Error::invalid_config(fmt::format("{}: expected a JSON object", path)));
  if (doc->contains("units")) {
    auto c = parse_community(*doc, path);
    if (!c) return tl::unexpected(c.error());
    return fmt::format("community, {} units", c->units.size());
  }
  if (doc->contains("unitId")) {
    auto unit = parse_unit_config(*doc, path);
    if (!unit) return tl::unexpected(unit.error());
    // The files it names are checked with it when they are there; a missing one is reported but
    // does not fail this file (APIS resolves them against the directory it is started in).
    std::string missing;
    for (const auto* f : {&unit->hw_config_file, &unit->policy_file, &unit->scenario_file})
      if (!std::filesystem::exists(*f)) missing += (missing.empty() ? "" : ", ") + *f;
    if (!missing.empty())
      return fmt::format("config.json of {}; not found here, so not cross-checked: {}",
                         unit->unit_id, missing);
    auto set = load_config_set(path);
    if (!set) return tl::unexpected(set.error());
    return fmt::format("config.json of {} with its hwConfig, policy and scenario", set->unit.unit_id);
  }
  if (doc->contains("batteryNominalCapacityWh")) {
    auto hw = parse_hw_config(*doc, path);
    if (!hw) return tl::unexpected(hw.error());
    return std::string("hwConfig");
  }
  if (doc->contains("memberUnitIds")) {
    auto p = parse_policy(*doc, path);
    if (!p) return tl::unexpected(p.error());
    return std::string("policy");
  }
  auto s = parse_scenario(*doc, path);
  if (!s) return tl::unexpected(s.error());
  return std::string("scenario");
}

}  // namespace

int run_config_check(const std::vector<std::string>& paths) {
  int failures = 0;
  for (const auto& path : paths) {
    std::string file = path;
    if (std::filesystem::is_directory(path)) {
      file = (std::filesystem::path{path} / "community.json").string();
      if (!std::filesystem::exists(file)) {
        fmt::print("error {}: no community.json in this folder\n", path);
        ++failures;
        continue;
      }
    }
    auto r = check_file(file);
    if (r) {
      fmt::print("ok {} ({})\n", file, *r);
    } else {
      fmt::print("error {}\n", file);
      std::string msg = r.error().message;
      std::size_t start = 0;
      while (start < msg.size()) {
        const auto nl = msg.find('\n', start);
        fmt::print("  {}\n", msg.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
        if (nl == std::string::npos) break;
        start = nl + 1;
      }
      ++failures;
    }
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace wattshare::app
