// apis-main's HwConfigKeeping, PolicyKeeping and ScenarioKeeping: each of a unit's three APIS
// files is read again every refreshingPeriodMsec (the file's own), so an edit takes effect while
// the unit runs. A file that does not load (bad JSON, a bad value, a cross-file problem) leaves
// the last good one in force and raises USER:LOCAL:WARN naming the file and what is wrong, as
// APIS does (once per edit here; APIS repeats it every period). The agent applies a good edit
// at its next safe moment (UnitAgent::change_config).
//   ConfigReloader reloader{agent, scheduler, spec.units[i].apis};
//   reloader.start();            // each file on its own refreshingPeriodMsec
//   reloader.check_all();        // or now (a simulation, which looks once per wall second)
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "config/config_set.hpp"
#include "core/clock.hpp"

namespace wattshare {

class UnitAgent;
class SharingEngine;
struct CommunitySpec;

class ConfigReloader {
 public:
  enum class File { kHwConfig, kPolicy, kScenario };

  // `live` is the agent's configuration, changed in place (through the agent) on a good edit.
  ConfigReloader(UnitAgent& agent, Scheduler& scheduler, ConfigSet& live);
  ~ConfigReloader();
  ConfigReloader(const ConfigReloader&) = delete;
  ConfigReloader& operator=(const ConfigReloader&) = delete;

  void start();
  // Reads `file` now; hands a changed, valid one to the agent. Returns whether it did.
  bool check(File file);
  void check_all();

 private:
  struct Watched {
    std::string path;
    std::string seen;  // the text last read, good or bad
    TimerId timer = kNoTimer;
  };
  void arm(File file);
  long long period_ms(File file) const;

  UnitAgent& agent_;
  Scheduler& scheduler_;
  ConfigSet& live_;
  std::array<Watched, 3> files_;
};

// One reloader per unit of `engine` whose files are known (loaded from a config.json); `spec` is
// the one the engine was built on, whose units' configurations the agents use and the reloaders
// change.
std::vector<std::unique_ptr<ConfigReloader>> make_config_reloaders(SharingEngine& engine, Scheduler& scheduler,
                                                                   CommunitySpec& spec);

}  // namespace wattshare
