// apis-main's grid-master deal steps (app/gridmaster/deal_execution/).
#include <gtest/gtest.h>

#include "engine/engine_fixture.hpp"

namespace wattshare {
namespace {

class ForceStop : public test::EngineFixture {
 protected:
  void tweak(UnitSpec& u) override { u.apis.policy.grid_master.discharge_unit_lower_limit_rsoc = 30; }
};

// DealCumulation: a discharge unit under gridMaster.deal.forceStopCondition.dischargeUnitLowerLimitRsoc
// aborts the deal with the reason "<unit> : dischargeUnitLowerLimitRsoc", word for word.
TEST_F(ForceStop, DealCumulationAbortsWithApisReasonWhenTheDischargeUnitIsTooLow) {
  build({{"E001", 30.3}, {"E002", 50}}, OperationMode::kHeteronomous);
  scheduler_->run_for(seconds(10));
  auto id = engine_->inject_deal("E001", "E002", 1000, 1.0, 0);  // E001 discharges
  ASSERT_TRUE(id.has_value()) << id.error().message;
  ASSERT_TRUE(run_until([&] { return !logged_.empty(); }, minutes(60)));
  ASSERT_FALSE(logged_[0].abort.empty());
  EXPECT_EQ(logged_[0].discharge_unit_id, "E001");
  EXPECT_EQ(logged_[0].abort[0].reason, "E001 : dischargeUnitLowerLimitRsoc");
}

class Authorization : public test::EngineFixture, public ::testing::WithParamInterface<FailPoint> {};

// DealMasterAuthorization.doExecute: a failed authorization (here APIS's test feature) puts the
// master side to WAIT and resets the deal with "<master> : <cause>" (resetDeal_), no abort; the
// flag stays set, so every later activation fails and resets again, and the deal never starts.
TEST_P(Authorization, DealMasterAuthorizationFailureResetsTheDealAndTheMasterWaits) {
  const FailPoint p = GetParam();
  const std::string id = inject_flagged_deal(p, 200);
  ASSERT_FALSE(id.empty());
  std::optional<Deal> deal;
  ASSERT_TRUE(run_until([&] {
    deal = engine_->fabric().deal(id);
    return deal && deal->reset.size() >= 2;
  }, minutes(10)));
  EXPECT_TRUE(logged_.empty());  // not aborted
  EXPECT_FALSE(deal->started());
  const std::string master = deal->reset[0].reason.substr(0, 4);
  EXPECT_TRUE(master == "E001" || master == "E002") << deal->reset[0].reason;
  EXPECT_EQ(deal->reset[0].reason, master + " : TEST FEATURE : dcdc / " + std::string(fail_point_name(p)));
  EXPECT_TRUE(any_event("test feature " + std::string(fail_point_name(p))));
  for (const auto& v : engine_->invariants().violations()) ADD_FAILURE() << v.what;
}

INSTANTIATE_TEST_SUITE_P(Points, Authorization, ::testing::Values(FailPoint::kBeforeAuthorize, FailPoint::kAfterAuthorize),
                         [](const auto& info) { return std::string(fail_point_name(info.param)); });


class AbortionPath : public test::EngineFixture, public ::testing::WithParamInterface<FailPoint> {
 protected:
  bool raised_abortion_failure(const char* unit) {
    for (std::size_t i = 0; i < engine_->size(); ++i) {
      if (engine_->agent(i).id() != unit) continue;
      for (const auto& e : engine_->agent(i).recent_errors())
        if (e.message == "deal abortion failed" && e.category == ErrorCategory::kHardware &&
            e.extent == ErrorExtent::kLocal && e.level == ErrorLevel::kError)
          return true;
    }
    return false;
  }
};

// DealExecution.doLoop_ aborts a deal whose step failed (DealAbortion, the reason the test
// feature's message); DealAbortion.doExecute stops the slave side (AbstractStoppableDealExecution
// .stopDcdc_, points failBeforeStop and failAfterStop), then deactivates (DealDeactivation
// .deactivateDcdc_, points failBeforeDeactivate and failAfterDeactivate, skipped with the master
// side in WAIT). The flags stay set, so a flag on that path fails the abortion itself: "deal
// abortion failed", HARDWARE:LOCAL:ERROR on both units, whose error handling puts both
// converters to WAIT (after stopMeTimeoutMsec); the deal stays for the next loop. failBeforeStop
// and failAfterStop fail every abortion, so that deal never leaves; failBeforeDeactivate's leaves
// on the next loop, its master side being in WAIT by then.
TEST_P(AbortionPath, AFlagOnTheAbortsOwnPathFailsTheAbortionAndBothUnitsWait) {
  const FailPoint p = GetParam();
  const std::string id = inject_flagged_deal(p, 50);
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(run_until([&] { return raised_abortion_failure("E001") && raised_abortion_failure("E002"); },
                        minutes(20)));
  // ErrorHandling's AskAndWaitForStopDeals: each unit waits up to stopMeTimeoutMsec for its deals
  // to stop, then goes to WAIT.
  ASSERT_TRUE(run_until([&] { return mode_of("E001") == DcdcMode::kWait && mode_of("E002") == DcdcMode::kWait; },
                        minutes(3)));
  const std::string reason = "TEST FEATURE : dcdc / " + std::string(fail_point_name(p));
  if (p == FailPoint::kBeforeDeactivate) {
    ASSERT_TRUE(run_until([&] { return !logged_.empty(); }, minutes(2)));
    ASSERT_FALSE(logged_[0].abort.empty());
    EXPECT_EQ(logged_[0].abort[0].reason, reason);
    EXPECT_TRUE(logged_[0].stopped());
    EXPECT_TRUE(engine_->fabric().deals().empty());
  } else {
    scheduler_->run_for(minutes(10));
    auto deal = engine_->fabric().deal(id);
    ASSERT_TRUE(deal.has_value());
    EXPECT_TRUE(deal->abort.empty());  // DealAbortion failed before DealUtil.abort
    EXPECT_GE(deal->abortion_failures, 10);  // once per loop
    EXPECT_TRUE(logged_.empty());
    EXPECT_EQ(mode_of("E001"), DcdcMode::kWait);
    EXPECT_EQ(mode_of("E002"), DcdcMode::kWait);
  }
  EXPECT_TRUE(any_event("deal abortion failed"));
}

INSTANTIATE_TEST_SUITE_P(Points, AbortionPath,
                         ::testing::Values(FailPoint::kBeforeStop, FailPoint::kAfterStop, FailPoint::kBeforeDeactivate),
                         [](const auto& info) { return std::string(fail_point_name(info.param)); });


class ActivationValidation : public test::EngineFixture {
 protected:
  void tweak(UnitSpec& u) override {
    u.apis.hw.grid_current_capacity_a = 3;  // room for two deals on a unit
    u.apis.policy.safety.sum_of_deal_grid_current_max_a = 1.5;
    u.apis.policy.grid_master.reset_limit = 2;
  }
  // What the grid master noted when it aborted deal `id` (a deal never activated is not logged).
  std::string abort_reason_of(const std::string& id) {
    const std::string marker = "deal " + id + " aborted: ";
    for (const auto& e : events_)
      if (const auto at = e.find(marker); at != std::string::npos) return e.substr(at + marker.size());
    return "";
  }
};

// DealActivation.checkNumberOfResets_: a deal reset gridMaster.deal.resetLimit times is aborted
// with "deal reset limit exceeded : <limit>" (and LOGIC:GLOBAL:WARN).
TEST_F(ActivationValidation, DealActivationAbortsADealResetTooOften) {
  const std::string id = inject_flagged_deal(FailPoint::kAfterAuthorize, 200);
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(run_until([&] { return !logged_.empty(); }, minutes(10)));
  EXPECT_EQ(abort_reason_of(id), "deal reset limit exceeded : 2");
  EXPECT_EQ(logged_[0].reset.size(), 2u);
}

// GridBranchCurrentCapacity.checkNewDeal_gridTotal_: the currents of all active deals with the
// new one above safety.sumOfDealGridCurrentMaxA abort it, in APIS's words (Java floats).
TEST_F(ActivationValidation, DealActivationAbortsADealOverTheSumOfDealCurrents) {
  build({{"E001", 70}, {"E002", 70}, {"E003", 70}, {"E004", 70}}, OperationMode::kHeteronomous);
  scheduler_->run_for(seconds(10));
  ASSERT_TRUE(start_injected_deal("E001", "E002", 2000));
  auto id = engine_->inject_deal("E003", "E004", 200, 1.0, 0);
  ASSERT_TRUE(id.has_value()) << id.error().message;
  ASSERT_TRUE(run_until([&] { return !abort_reason_of(*id).empty(); }, minutes(2)));
  EXPECT_EQ(abort_reason_of(*id), "sum of dealGridCurrentA of all deals : 2.0 ; exceeds limit : 1.5");
}

class OppositeDeals : public ActivationValidation {
 protected:
  void tweak(UnitSpec& u) override {
    ActivationValidation::tweak(u);
    u.apis.policy.safety.sum_of_deal_grid_current_max_a = 100;
  }
};

// DealActivation.checkDealDirection_: a unit charging in an active deal cannot discharge in a
// new one; the new deal is aborted with the other deal in the message.
TEST_F(OppositeDeals, DealActivationAbortsADealOppositeToAnActiveOne) {
  build({{"E001", 70}, {"E002", 70}, {"E003", 70}}, OperationMode::kHeteronomous);
  scheduler_->run_for(seconds(10));
  ASSERT_TRUE(start_injected_deal("E001", "E002", 2000));  // E002 charges
  auto id = engine_->inject_deal("E002", "E003", 200, 1.0, 0);  // E002 would discharge
  ASSERT_TRUE(id.has_value()) << id.error().message;
  ASSERT_TRUE(run_until([&] { return !abort_reason_of(*id).empty(); }, minutes(2)));
  const std::string why = abort_reason_of(*id);
  EXPECT_EQ(why.rfind("other charge side deal found on discharge unit : E002 ; other deal : {\"unitId\":", 0), 0u) << why;
}

}  // namespace
}  // namespace wattshare
