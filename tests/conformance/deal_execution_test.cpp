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
  build({{"E001", 70}, {"E002", 70}}, OperationMode::kHeteronomous);
  scheduler_->run_for(seconds(10));
  auto id = engine_->inject_deal("E001", "E002", 200, 1.0, static_cast<std::uint16_t>(p));
  ASSERT_TRUE(id.has_value()) << id.error().message;
  std::optional<Deal> deal;
  ASSERT_TRUE(run_until([&] {
    deal = engine_->fabric().deal(*id);
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

}  // namespace
}  // namespace wattshare
