// apis-main's LocalSafetyEvaluation (evaluation/safety/LocalSafetyEvaluation.java), rule by rule
// on evaluate_local_safety.
#include <gtest/gtest.h>

#include "config/hw_config.hpp"
#include "config/policy.hpp"
#include "engine/local_safety.hpp"

namespace wattshare {
namespace {

struct Case {
  HwConfig hw;
  Policy policy;
  LocalSafetyContext context;
  LocalSafetyCounters counters;
  UnitData data;
  Case() {
    for (Range* r : {&hw.tmp_c, &hw.vg_v, &hw.vb_v, &hw.ig_a, &hw.ib_a}) *r = Range{-1000, 1000};
    context.hw = &hw;
    context.policy = &policy;
    context.unit_id = "E001";
    context.effective_mode = OperationMode::kAutonomous;
    context.dynamic_checks_suspended = true;  // only the mode-and-deal rules here
    data.mode = DcdcMode::kCharge;
    data.meter.vg_v = 350;
    data.meter.vb_v = 50;
    data.meter.tmp_c = 30;
    data.dvg_v = 350;
  }
  std::vector<std::string> check() {
    std::vector<std::string> out;
    for (const auto& e : evaluate_local_safety(data, context, counters)) out.push_back(format_apis_error(e));
    return out;
  }
};

// checkModeAndDeal_ / isCorrectDealsDirection_: only deals whose master side must be active
// (activated, not deactivated) must agree in direction; a disagreement is a LOGIC WARN the first
// time and an ERROR when it persists (errors.add ... "1 < size" ? ERROR : WARN).
TEST(LocalSafetyEvaluation, CheckModeAndDealDirectionCountsActivatedDealsAndWarnsFirst) {
  Case c;
  c.context.deals_as_charge = 1;  // a running charge deal...
  c.context.deals_as_discharge = 1;  // ...and a fresh discharge deal not yet activated
  c.context.active_as_charge = 1;
  EXPECT_EQ(c.check(), std::vector<std::string>{});

  c.context.active_as_discharge = 1;  // both activated: the rule trips
  EXPECT_EQ(c.check(), std::vector<std::string>{
                           "(LOGIC:LOCAL:WARN:E001) invalid deals direction: active deals in both directions at once"});
  EXPECT_EQ(c.check(), std::vector<std::string>{
                           "(LOGIC:LOCAL:ERROR:E001) invalid deals direction: active deals in both directions at once"});
  c.context.active_as_discharge = 0;  // resolved: the count starts again
  EXPECT_EQ(c.check(), std::vector<std::string>{});
  c.context.active_as_discharge = 1;
  const auto again = c.check();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_NE(again.front().find(":WARN:"), std::string::npos) << again.front();
}

}  // namespace
}  // namespace wattshare
