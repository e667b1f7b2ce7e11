#include "engine/config_reloader.hpp"

#include <memory>

#include <fmt/format.h>

#include "config/community.hpp"
#include "engine/sharing_engine.hpp"
#include "engine/unit_agent.hpp"

namespace wattshare {
namespace {

constexpr const char* kNames[] = {"hwConfig", "policy", "scenario"};
constexpr ConfigReloader::File kFiles[] = {ConfigReloader::File::kHwConfig, ConfigReloader::File::kPolicy,
                                           ConfigReloader::File::kScenario};

}  // namespace

ConfigReloader::ConfigReloader(UnitAgent& agent, Scheduler& scheduler, ConfigSet& live)
    : agent_(agent), scheduler_(scheduler), live_(live) {
  files_[static_cast<int>(File::kHwConfig)].path = live.unit.hw_config_file;
  files_[static_cast<int>(File::kPolicy)].path = live.unit.policy_file;
  files_[static_cast<int>(File::kScenario)].path = live.unit.scenario_file;
  // What is in force came from these texts: only a later edit is a change.
  for (auto& w : files_) {
    if (w.path.empty()) continue;
    if (auto text = read_text_file(w.path)) w.seen = std::move(*text);
  }
}

ConfigReloader::~ConfigReloader() {
  for (auto& w : files_)
    if (w.timer != kNoTimer) scheduler_.cancel(w.timer);
}

void ConfigReloader::start() {
  for (File f : kFiles) arm(f);
}

void ConfigReloader::check_all() {
  for (File f : kFiles) check(f);
}

long long ConfigReloader::period_ms(File file) const {
  switch (file) {
    case File::kHwConfig: return live_.hw.refreshing_period_ms;
    case File::kPolicy: return live_.policy.refreshing_period_ms;
    case File::kScenario: return live_.scenario.refreshing_period_ms;
  }
  return 5000;
}

void ConfigReloader::arm(File file) {
  Watched& w = files_[static_cast<int>(file)];
  if (w.path.empty()) return;
  w.timer = scheduler_.after(std::chrono::milliseconds(std::max(1LL, period_ms(file))), [this, file] {
    files_[static_cast<int>(file)].timer = kNoTimer;
    check(file);
    arm(file);  // with the period of the file now in force
  });
}

bool ConfigReloader::check(File file) {
  Watched& w = files_[static_cast<int>(file)];
  if (w.path.empty()) return false;
  auto text = read_text_file(w.path);
  const std::string seen = text ? *text : text.error().message;
  if (seen == w.seen) return false;
  w.seen = seen;
  // The whole set as it would be, so a change that breaks a cross-file rule is refused too.
  auto candidate = std::make_shared<ConfigSet>(live_);
  auto loaded = text.and_then([&](const std::string& t) { return parse_json_text(t, w.path); })
                    .and_then([&](const Json& doc) -> tl::expected<void, Error> {
                      switch (file) {
                        case File::kHwConfig:
                          return parse_hw_config(doc, w.path).map([&](HwConfig c) { candidate->hw = std::move(c); });
                        case File::kPolicy:
                          return parse_policy(doc, w.path).map([&](Policy p) { candidate->policy = std::move(p); });
                        case File::kScenario:
                          return parse_scenario(doc, w.path).map([&](Scenario s) { candidate->scenario = std::move(s); });
                      }
                      return {};
                    });
  std::string problem = loaded ? std::string() : loaded.error().message;
  if (loaded) {
    for (const auto& p : cross_check(*candidate)) problem += (problem.empty() ? "" : "; ") + p;
  }
  if (!problem.empty()) {
    // HwConfigKeeping / PolicyKeeping / ScenarioKeeping: USER:LOCAL:WARN while a good file is in force.
    agent_.raise({ErrorCategory::kUser, ErrorExtent::kLocal, ErrorLevel::kWarn, agent_.id(),
                  fmt::format("{} not reloaded, the last good one stays in force: {}", kNames[static_cast<int>(file)], problem)});
    return false;
  }
  candidate->warnings = all_warnings(*candidate);
  // Only the part that changed is replaced: references into the rest stay valid.
  agent_.change_config(fmt::format("{} reloaded from {}", kNames[static_cast<int>(file)], w.path), [&live = live_, file, candidate] {
    switch (file) {
      case File::kHwConfig: live.hw = std::move(candidate->hw); break;
      case File::kPolicy: live.policy = std::move(candidate->policy); break;
      case File::kScenario: live.scenario = std::move(candidate->scenario); break;
    }
    live.warnings = std::move(candidate->warnings);
  });
  return true;
}

std::vector<std::unique_ptr<ConfigReloader>> make_config_reloaders(SharingEngine& engine, Scheduler& scheduler,
                                                                   CommunitySpec& spec) {
  std::vector<std::unique_ptr<ConfigReloader>> out;
  for (std::size_t i = 0; i < engine.size() && i < spec.units.size(); ++i) {
    const UnitConfig& files = spec.units[i].apis.unit;
    if (files.hw_config_file.empty() && files.policy_file.empty() && files.scenario_file.empty()) continue;
    out.push_back(std::make_unique<ConfigReloader>(engine.agent(i), scheduler, spec.units[i].apis));
  }
  return out;
}

}  // namespace wattshare
