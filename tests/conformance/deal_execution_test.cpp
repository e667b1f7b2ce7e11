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

}  // namespace
}  // namespace wattshare
