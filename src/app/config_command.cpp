// `wattshare config check`: load files the way the programs will, report every problem.
#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "config/community.hpp"
#include "config/config_set.hpp"
#include "core/json_file.hpp"
#include "surplus/surplus_config.hpp"

namespace wattshare::app {
namespace {

// What a file is: its name first, as APIS names them (`*policy*.json`, `*scenario*.json`,
// `*hwConfig*.json`, `config*.json`, `community.json`), then the keys only that file has. A
// policy without memberUnitIds is then reported as a policy, not taken for a scenario. A surplus
// router's file (examples/surplus/) has a "site", "ev" or "dimmer" section.
enum class FileKind { kCommunity, kUnitConfig, kHwConfig, kPolicy, kScenario, kSurplus };

FileKind kind_of(const std::string& path, const Json& doc) {
  const std::string name = std::filesystem::path(path).filename().string();
  const auto has = [&](std::string_view part) { return name.find(part) != std::string::npos; };
  if (name == "community.json") return FileKind::kCommunity;
  if (has("hwConfig")) return FileKind::kHwConfig;
  if (has("policy")) return FileKind::kPolicy;
  if (has("scenario")) return FileKind::kScenario;
  if (name.starts_with("config")) return FileKind::kUnitConfig;
  if (doc.contains("units")) return FileKind::kCommunity;
  if (doc.contains("unitId")) return FileKind::kUnitConfig;
  if (doc.contains("batteryNominalCapacityWh")) return FileKind::kHwConfig;
  if (doc.contains("memberUnitIds")) return FileKind::kPolicy;
  if (doc.contains("site") || doc.contains("ev") || doc.contains("dimmer")) return FileKind::kSurplus;
  return FileKind::kScenario;
}

struct Checked {
  std::string what;
  std::vector<std::string> warnings;
};

tl::expected<Checked, Error> check_file(const std::string& path) {
  auto doc = load_json_file(path);
  if (!doc) return tl::unexpected(doc.error());
  if (!doc->is_object())
    return tl::unexpected(Error::invalid_config(fmt::format("{}: expected a JSON object", path)));
  switch (kind_of(path, *doc)) {
    case FileKind::kCommunity: {
      auto c = parse_community(*doc, path);
      if (!c) return tl::unexpected(c.error());
      Checked out{fmt::format("community, {} units", c->units.size()), {}};
      for (const auto& u : c->units)
        for (const auto& w : u.apis.warnings)
          if (std::find(out.warnings.begin(), out.warnings.end(), w) == out.warnings.end()) out.warnings.push_back(w);
      return out;
    }
    case FileKind::kUnitConfig: {
      auto unit = parse_unit_config(*doc, path);
      if (!unit) return tl::unexpected(unit.error());
      // The files it names are checked with it when they are there; a missing one is reported but
      // does not fail this file (APIS resolves them against the directory it is started in).
      std::string missing;
      for (const auto* f : {&unit->hw_config_file, &unit->policy_file, &unit->scenario_file})
        if (!std::filesystem::exists(*f)) missing += (missing.empty() ? "" : ", ") + *f;
      if (!missing.empty())
        return Checked{fmt::format("config.json of {}; not found here, so not cross-checked: {}", unit->unit_id, missing), {}};
      auto set = load_config_set(path);
      if (!set) return tl::unexpected(set.error());
      return Checked{fmt::format("config.json of {} with its hwConfig, policy and scenario", set->unit.unit_id), set->warnings};
    }
    case FileKind::kHwConfig: {
      auto hw = parse_hw_config(*doc, path);
      if (!hw) return tl::unexpected(hw.error());
      return Checked{"hwConfig", {}};
    }
    case FileKind::kPolicy: {
      auto p = parse_policy(*doc, path);
      if (!p) return tl::unexpected(p.error());
      return Checked{"policy", p->warnings};
    }
    case FileKind::kScenario: {
      auto s = parse_scenario(*doc, path);
      if (!s) return tl::unexpected(s.error());
      return Checked{"scenario", s->warnings};
    }
    case FileKind::kSurplus: {
      auto c = surplus::parse_surplus_config(*doc, path);
      if (!c) return tl::unexpected(c.error());
      return Checked{fmt::format("surplus router \"{}\", {} time", c->name, c->router.zone.name()), {}};
    }
  }
  return tl::unexpected(Error::invalid_config(path + ": unknown kind of file"));
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
      fmt::print("ok {} ({})\n", file, r->what);
      for (const auto& w : r->warnings) fmt::print("warning {}\n", w);
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
