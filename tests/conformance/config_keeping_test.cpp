// apis-main's ScenarioKeeping (app/user/), PolicyKeeping and HwConfigKeeping (app/): each of a
// unit's files is read again every refreshingPeriodMsec (localFileReadingTimerHandler_), so an
// edit takes effect while the unit runs; a file that does not load leaves the last good one in
// force and raises USER:LOCAL:WARN (ERROR only when no file was ever loaded: wattshare then does
// not start at all).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "config/scenario.hpp"
#include "engine/config_reloader.hpp"
#include "engine/engine_fixture.hpp"
#include "support/temp_dir.hpp"

namespace wattshare {
namespace {

std::string sample_scenario_text() {
  std::ifstream in(std::string(WATTSHARE_SOURCE_DIR) + "/examples/apis-sample/scenario.json");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The sample with no request at all: units answer, nobody asks.
std::string quiet_scenario_text() {
  std::string text = sample_scenario_text();
  const std::string excess = R"("excess"     : { "discharge" : { "limitWh" : 4320, "pointPerWh" : 10 } },)";
  const std::string shortage = R"("short"      : { "charge" : { "limitWh" : 2880, "pointPerWh" : 10 } })";
  const auto at_excess = text.find(excess);  // the first: the request rules come first
  text.replace(at_excess, excess.size(), R"("excess" : { },)");
  text.replace(text.find(shortage), shortage.size(), R"("short" : { })");
  return text;
}

class ConfigKeeping : public test::EngineFixture {
 protected:
  void tweak(UnitSpec& u) override {
    // Every unit reads its scenario from this test's file; the policy and hwConfig stay as the
    // fixture set them (no file to watch), but for the policy test.
    u.apis.unit.scenario_file = scenario_;
    u.apis.unit.policy_file = policy_file_;
    u.apis.unit.hw_config_file.clear();
    auto s = parse_scenario(parse_json_text(initial_scenario_, scenario_).value(), scenario_);
    ASSERT_TRUE(s.has_value()) << s.error().message;
    u.apis.scenario = *s;
  }
  void start_reloading() {
    reloaders_ = make_config_reloaders(*engine_, *scheduler_, spec_);
    for (auto& r : reloaders_) r->start();
  }
  bool any_error(const std::string& fragment) const {
    for (const auto& e : errors_)
      if (e.find(fragment) != std::string::npos) return true;
    return false;
  }
  void TearDown() override {
    reloaders_.clear();
    EngineFixture::TearDown();
  }

  test::TempDir dir_;
  std::string initial_scenario_ = quiet_scenario_text();
  std::string scenario_ = dir_.write("scenario.json", initial_scenario_);
  std::string policy_file_;
  std::vector<std::unique_ptr<ConfigReloader>> reloaders_;
};

// ScenarioKeeping.localFileReadingTimerHandler_: the edit is in force within one
// refreshingPeriodMsec (5 s in the file), and the unit requests by it at its next house keeping.
TEST_F(ConfigKeeping, ScenarioKeepingAnEditChangesWhatUnitsRequestWithinOneRefreshingPeriod) {
  build({{"E001", 95}, {"E002", 70}});  // E001 excess, E002 scarce (accepts a charge)
  start_reloading();
  scheduler_->run_for(minutes(5));
  EXPECT_TRUE(states_.empty()) << "a deal without any request rule";
  const TimePoint edited = scheduler_->now();
  dir_.write("scenario.json", sample_scenario_text());
  ASSERT_TRUE(run_until([&] { return any_event("E001 scenario reloaded"); }, seconds(5)));
  EXPECT_LE(to_seconds(scheduler_->now() - edited), 5.0);
  // HouseKeeping every houseKeepingPeriodMsec (5 s): E001's discharge request, E002 takes it.
  ASSERT_TRUE(run_until([&] { return !states_.empty(); }, seconds(15)));
  scheduler_->run_for(minutes(1));
  for (const auto& v : engine_->invariants().violations()) ADD_FAILURE() << v.what;
}

class BrokenEdit : public ConfigKeeping {
 protected:
  BrokenEdit() {
    initial_scenario_ = sample_scenario_text();
    dir_.write("scenario.json", initial_scenario_);
  }
};

// A broken edit (bad JSON, then a bad value) keeps the last good scenario in force, with a
// USER:LOCAL:WARN naming the file and what is wrong; the units go on trading by the good one.
TEST_F(BrokenEdit, ScenarioKeepingABrokenEditKeepsTheLastGoodFileAndWarns) {
  build({{"E001", 95}, {"E002", 70}});
  start_reloading();
  dir_.write("scenario.json", "{ \"refreshingPeriodMsec\" : 5000, ");
  ASSERT_TRUE(run_until([&] { return any_error("(USER:LOCAL:WARN:E001) scenario not reloaded"); }, seconds(5)));
  EXPECT_TRUE(any_error(scenario_)) << errors_.back();
  // The last good file still rules: E001 requests and a deal is made.
  ASSERT_TRUE(run_until([&] { return !states_.empty(); }, minutes(1)));
  std::string bad_value = sample_scenario_text();
  bad_value.replace(bad_value.find("\"refreshingPeriodMsec\" : 5000"), 29, "\"refreshingPeriodMsec\" : \"soon\"");
  dir_.write("scenario.json", bad_value);
  const std::size_t before = errors_.size();
  ASSERT_TRUE(run_until([&] { return errors_.size() > before && any_error("refreshingPeriodMsec"); }, seconds(5)));
  EXPECT_FALSE(any_event("scenario reloaded"));
}

class BrokenPolicy : public ConfigKeeping {
 protected:
  BrokenPolicy() {
    initial_scenario_ = sample_scenario_text();
    dir_.write("scenario.json", initial_scenario_);
    policy_file_ = dir_.write("policy.json", "{}");
  }
};

// PolicyKeeping: a policy file that does not load (here without memberUnitIds) leaves the
// policy in force; the same edit fixed later is taken.
TEST_F(BrokenPolicy, PolicyKeepingABrokenPolicyEditKeepsThePolicyInForce) {
  build({{"E001", 95}, {"E002", 70}});
  start_reloading();
  // The file changes (the reloader took "{}" as what is in force at start): now a broken edit.
  dir_.write("policy.json", "{ \"operationGridVoltageV\" : 350 }");
  ASSERT_TRUE(run_until([&] { return any_error("policy not reloaded"); }, seconds(5)));
  EXPECT_TRUE(any_error("memberUnitIds")) << errors_.back();
  EXPECT_EQ(engine_->agent(0).config().policy.member_unit_ids.size(), 2u);
  ASSERT_TRUE(run_until([&] { return !states_.empty(); }, minutes(1)));
}

}  // namespace
}  // namespace wattshare
