// apis-main's converter commands and the grid master's deal steps around them
// (app/controller/impl/dcdc/device_controlling/, app/gridmaster/deal_execution/), and
// LocalSafetyEvaluation's manual mode (evaluation/safety/).
#include <gtest/gtest.h>

#include "engine/engine_fixture.hpp"

namespace wattshare {
namespace {

using Conformance = test::EngineFixture;

bool has_error(const std::vector<std::string>& errors, const std::string& fragment) {
  for (const auto& e : errors)
    if (e.find(fragment) != std::string::npos) return true;
  return false;
}

// VoltageReferenceAuthorization.startIgnoreDynamicSafetyCheck / stopIgnoreDynamicSafetyCheck
// (both true): the checks VOLTAGE_REFERENCE suspended (its stopIgnore... is false) come back
// when the authorization ends, so the running reference's |vg - dvg| is watched again.
TEST_F(Conformance, VoltageReferenceAuthorizationResumesTheDynamicChecksWhenItEnds) {
  build({{"E001", 70}, {"E002", 70}}, OperationMode::kHeteronomous);
  scheduler_->run_for(seconds(10));
  ASSERT_TRUE(start_injected_deal("E001", "E002", 200));
  scheduler_->run_for(seconds(5));  // no command in progress
  const std::string reference = mode_of("E001") == DcdcMode::kVoltageReference ? "E001" : "E002";
  ASSERT_EQ(mode_of(reference), DcdcMode::kVoltageReference);
  EXPECT_FALSE(engine_->agent(index(reference)).dynamic_checks_suspended());
}

class CompensationTrials : public test::EngineFixture {
 protected:
  int limit_of_trials = 0;
  void tweak(UnitSpec& u) override { u.apis.policy.grid_master.compensation_limit_of_trials = limit_of_trials; }
  // Runs one injected deal to its end or to its start; the deal's states and its first abort.
  std::pair<std::vector<DealState>, std::string> run_one_deal() {
    build({{"E001", 70}, {"E002", 70}}, OperationMode::kHeteronomous);
    scheduler_->run_for(seconds(10));
    auto id = engine_->inject_deal("E001", "E002", 200, 1.0, 0);
    EXPECT_TRUE(id.has_value());
    run_until([&] {
      return !logged_.empty() || in_state(*id, DealState::kStarted);
    }, minutes(5));
    return {states_[*id], logged_.empty() || logged_[0].abort.empty() ? "" : logged_[0].abort[0].reason};
  }
};

// DealCompensation.CurrentCompensationExecutor_.execute_: the reference's ig is measured first;
// within driftAllowanceA the compensation succeeds without any trial ("0 < limitOfTrials_--"
// guards only the retries), so limitOfTrials 0 starts a deal whose current is already on target.
TEST_F(CompensationTrials, DealCompensationWithNoTrialsStartsADealAlreadyOnTarget) {
  limit_of_trials = 0;
  const auto [states, abort] = run_one_deal();
  EXPECT_EQ(abort, "");
  ASSERT_FALSE(states.empty());
  EXPECT_EQ(states.back(), DealState::kStarted);
  EXPECT_FALSE(has_error(errors_, "current compensation failed"));
}

// CurrentCompensationExecutor_'s constructor: a negative limitOfTrials is APIS's test feature,
// |n| adjustments and then a failure whatever the measurement: HARDWARE:GLOBAL:WARN "current
// compensation failed", and the deal is aborted.
TEST_F(CompensationTrials, DealCompensationWithNegativeTrialsFailsAsApisTestFeatureDoes) {
  limit_of_trials = -2;
  const auto [states, abort] = run_one_deal();
  EXPECT_EQ(abort, "current compensation failed");
  EXPECT_TRUE(has_error(errors_, "(HARDWARE:GLOBAL:WARN")) << ::testing::PrintToString(errors_);
  EXPECT_TRUE(has_error(errors_, ") current compensation failed"));
  ASSERT_TRUE(run_until([&] { return mode_of("E001") == DcdcMode::kWait && mode_of("E002") == DcdcMode::kWait; },
                        seconds(60)));
}

// LocalSafetyEvaluation.check: in manual mode only the static (hardware range) checks run; no
// rule of APIS takes a converter the operator commanded back to WAIT. (wattshare's own
// grid-master-silence fail-safe is off in manual for the same reason.)
TEST_F(Conformance, LocalSafetyEvaluationInManualLeavesACommandedConverterAsCommanded) {
  build({{"E001", 70}, {"E002", 70}}, OperationMode::kManual);
  scheduler_->run_for(seconds(10));
  DcdcCommand reference{DcdcMode::kVoltageReference, 350.0, 2.3, 0.0};
  ASSERT_TRUE(community_->set_dcdc(index("E001"), reference).has_value());
  DcdcCommand charge{DcdcMode::kCharge, 350.0, 1.0, 0.0};
  ASSERT_TRUE(community_->set_dcdc(index("E002"), charge).has_value());
  for (int minute = 0; minute < 10; ++minute) {
    scheduler_->run_for(minutes(1));
    ASSERT_EQ(mode_of("E001"), DcdcMode::kVoltageReference) << "after " << minute + 1 << " min";
    ASSERT_EQ(mode_of("E002"), DcdcMode::kCharge) << "after " << minute + 1 << " min";
  }
  EXPECT_FALSE(has_error(errors_, "no grid master contact")) << ::testing::PrintToString(errors_);
  EXPECT_FALSE(any_event("converter to WAIT"));
}

}  // namespace
}  // namespace wattshare

namespace wattshare {
namespace {

using ErrorAction = test::EngineFixture;

// error/action/Scram.doAction: SCRAM to every unit except voltage references, then after
// controller.scramVoltageReferenceDelayMsec (5 s here) to the references, then every deal is
// scrammed. The current-controlled side is in WAIT while the reference still holds the bus.
TEST_F(ErrorAction, ScramStopsCurrentControlledUnitsFirstAndTheReferenceAfterTheDelay) {
  build({{"E001", 70}, {"E002", 70}, {"E003", 70}}, OperationMode::kHeteronomous);
  scheduler_->run_for(seconds(10));
  ASSERT_TRUE(start_injected_deal("E001", "E002", 500));
  const std::string reference = mode_of("E001") == DcdcMode::kVoltageReference ? "E001" : "E002";
  const std::string cc = reference == "E001" ? "E002" : "E001";
  engine_->fabric().publish_global_error(
      {ErrorCategory::kLogic, ErrorExtent::kGlobal, ErrorLevel::kError, "E003", "test: scram"});
  std::optional<TimePoint> cc_waiting, reference_waiting;
  const TimePoint end = scheduler_->now() + minutes(1);
  while (scheduler_->now() < end && !reference_waiting) {
    scheduler_->run_for(milliseconds(100));
    if (!cc_waiting && mode_of(cc) == DcdcMode::kWait) cc_waiting = scheduler_->now();
    if (mode_of(reference) == DcdcMode::kWait) reference_waiting = scheduler_->now();
  }
  ASSERT_TRUE(cc_waiting && reference_waiting);
  EXPECT_GE(to_seconds(*reference_waiting - *cc_waiting), 5.0 - 0.2);
  EXPECT_LE(to_seconds(*reference_waiting - *cc_waiting), 5.0 + 3.0);
  ASSERT_TRUE(run_until([&] { return !logged_.empty(); }, minutes(1)));
  ASSERT_TRUE(logged_.front().scram.has_value());
  // The reason as AbstractErrorsHandling.logMessages_ builds it: the errors' log lines, JSON-encoded.
  EXPECT_EQ(logged_.front().scram->reason, R"(["(LOGIC:GLOBAL:ERROR:E003) test: scram"])");
}

// gridmaster/main_loop/ErrorHandling: a HARDWARE ERROR scrams and sets the global mode to stop
// (GlobalHardwareErrorsHandling: Scram, BudoStop); a FATAL of any category scrams and shuts every
// unit down without touching the global mode (GlobalAnyFatalsHandling: Scram, ShutdownAll).
TEST_F(ErrorAction, ErrorHandlingStopsTheGlobalModeOnAHardwareErrorButNotOnAFatal) {
  build({{"E001", 70}, {"E002", 70}}, OperationMode::kAutonomous);
  scheduler_->run_for(seconds(10));
  engine_->fabric().publish_global_error(
      {ErrorCategory::kHardware, ErrorExtent::kGlobal, ErrorLevel::kFatal, "E002", "test: fatal"});
  ASSERT_TRUE(run_until([&] { return !engine_->agent(0).running() && !engine_->agent(1).running(); }, minutes(1)));
  EXPECT_EQ(engine_->fabric().global_mode(), OperationMode::kAutonomous);
}

TEST_F(ErrorAction, ErrorHandlingBudoStopsOnAHardwareError) {
  build({{"E001", 70}, {"E002", 70}}, OperationMode::kAutonomous);
  scheduler_->run_for(seconds(10));
  engine_->fabric().publish_global_error(
      {ErrorCategory::kHardware, ErrorExtent::kGlobal, ErrorLevel::kError, "E002", "test: error"});
  ASSERT_TRUE(run_until([&] { return engine_->fabric().global_mode() == OperationMode::kStop; }, minutes(1)));
  EXPECT_TRUE(engine_->agent(0).running());
}

// Scram.doAction publishes to all units whether or not there are deals: an error with an empty
// deal table still scrams (wattshare returned at once when the deal table was empty).
TEST_F(ErrorAction, ScramReachesEveryUnitEvenWithNoDeal) {
  build({{"E001", 70}, {"E002", 70}, {"E003", 70}}, OperationMode::kHeteronomous);
  scheduler_->run_for(seconds(10));
  ASSERT_TRUE(engine_->fabric().deals().empty());
  engine_->fabric().publish_global_error(
      {ErrorCategory::kLogic, ErrorExtent::kGlobal, ErrorLevel::kError, "E003", "test: scram"});
  ASSERT_TRUE(run_until([&] { return any_event("scram: "); }, seconds(30)));
  for (const char* u : {"E001", "E002", "E003"}) EXPECT_EQ(mode_of(u), DcdcMode::kWait) << u;
}

}  // namespace
}  // namespace wattshare

namespace wattshare {
namespace {

class ErrorHold : public test::EngineFixture {
 protected:
  void tweak(UnitSpec& u) override { u.apis.policy.grid_master.error_sustaining_ms = 120000; }
};

// gridmaster/ErrorCollection.hasErrors: for gridMaster.errorSustainingMsec after the grid master
// has handled an error, units make no request, accept or deal (HouseKeeping,
// MediatorRequestHandling and MediatorAcceptsHandling ask it first), then trading resumes.
TEST_F(ErrorHold, ErrorCollectionHoldsNewDealsForErrorSustainingMsecAfterAGlobalError) {
  build({{"E001", 95}, {"E002", 40}, {"E003", 40}});
  ASSERT_TRUE(run_until([&] { return !engine_->fabric().deals().empty(); }, minutes(10)));
  engine_->fabric().publish_global_error(
      {ErrorCategory::kUser, ErrorExtent::kGlobal, ErrorLevel::kError, "E003", "test: hold"});
  ASSERT_TRUE(run_until([&] { return engine_->fabric().deals().empty(); }, minutes(1)));
  const TimePoint cleared = scheduler_->now();
  const auto created = engine_->fabric().deals_created();
  // Within the hold no deal is made, though E001 is still excess and the others short.
  scheduler_->run_for(seconds(100));
  EXPECT_EQ(engine_->fabric().deals_created(), created);
  EXPECT_TRUE(engine_->fabric().global_errors_held(scheduler_->now()));
  ASSERT_TRUE(run_until([&] { return engine_->fabric().deals_created() > created; }, minutes(5)));
  EXPECT_GE(to_seconds(scheduler_->now() - cleared), 120.0 - 10.0);
}

}  // namespace
}  // namespace wattshare
