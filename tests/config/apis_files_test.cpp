// wattshare loads APIS's own configuration files unchanged.
#include <gtest/gtest.h>

#include "config/config_set.hpp"

namespace wattshare {
namespace {

// APIS's files, copied into the repository with their licence (tests/data/apis-configs/README.md).
const std::string kApis = std::string(WATTSHARE_TEST_DATA_DIR) + "/apis-configs";

TEST(ApisFiles, ExeFilesLoadWithTheirValues) {
  auto policy = load_policy(kApis + "/exe/policy.json");
  ASSERT_TRUE(policy.has_value()) << policy.error().message;
  EXPECT_EQ(policy->member_unit_ids, (std::vector<std::string>{"E001", "E002", "E003", "E004"}));
  EXPECT_EQ(policy->operation_mode, OperationMode::kStop);
  EXPECT_DOUBLE_EQ(policy->operation_grid_voltage_v, 350);
  EXPECT_DOUBLE_EQ(policy->mediator.deal_grid_current_a, 1);
  EXPECT_DOUBLE_EQ(policy->mediator.deal_amount_unit_wh, 50);
  EXPECT_EQ(policy->user.house_keeping_period_ms, 5000);
  EXPECT_FALSE(policy->safety.topology_enabled);
  EXPECT_EQ(policy->grid_master.selection, GridMasterSelection::kVoltageReferenceUnit);
  EXPECT_EQ(policy->grid_master.main_loop_period_ms, 5000);

  auto hw = load_hw_config(kApis + "/exe/hwConfig.json");
  ASSERT_TRUE(hw.has_value()) << hw.error().message;
  EXPECT_DOUBLE_EQ(hw->battery_nominal_capacity_wh, 4800);
  EXPECT_DOUBLE_EQ(hw->grid_current_capacity_a, 2.3);
  EXPECT_DOUBLE_EQ(hw->ig_a.max, 2.35);

  auto scenario = load_scenario(kApis + "/exe/scenario.json");
  ASSERT_TRUE(scenario.has_value()) << scenario.error().message;
  ASSERT_EQ(scenario->slices.size(), 1u);
  EXPECT_EQ(scenario->slices[0].to_hms, "24:00:00");
  const auto* band = scenario->slices[0].band_for(4500);
  ASSERT_NE(band, nullptr);
  EXPECT_EQ(band->status, "excess");

  for (const char* config : {"/exe/config.json", "/exe/config2.json"}) {
    auto set = load_config_set(kApis + config);
    ASSERT_TRUE(set.has_value()) << set.error().message;
  }
}

TEST(ApisFiles, SampleFilesWithJapaneseCommentsLoad) {
  auto unit = load_unit_config(kApis + "/sample/config.json");
  ASSERT_TRUE(unit.has_value()) << unit.error().message;
  EXPECT_EQ(unit->unit_id, "E001");
  EXPECT_EQ(unit->system_type, SystemType::kDcdcEmulator);
  EXPECT_TRUE(unit->security_enabled);

  auto policy = load_policy(kApis + "/sample/policy.json");
  ASSERT_TRUE(policy.has_value()) << policy.error().message;
  ASSERT_TRUE(policy->safety.topology_enabled);
  ASSERT_EQ(policy->safety.branches.size(), 3u);
  EXPECT_EQ(policy->safety.branches[1].id, "E002-E003");
  EXPECT_DOUBLE_EQ(policy->safety.branches[1].current_capacity_a, 8.0);
  EXPECT_EQ(policy->safety.branches[1].forward_unit_ids,
            (std::vector<std::string>{"E001", "E002"}));

  auto scenario = load_scenario(kApis + "/sample/scenario.json");
  ASSERT_TRUE(scenario.has_value()) << scenario.error().message;
  ASSERT_EQ(scenario->slices.size(), 2u);
  EXPECT_EQ(scenario->accept_selection, AcceptSelection::kPointAndAmount);
  EXPECT_EQ(scenario->selection_for(scenario->slices[1]), AcceptSelection::kAmount);
  const auto* morning = scenario->slice_at("09:30:00");
  ASSERT_NE(morning, nullptr);
  const auto* excess = morning->rules_for("excess");
  ASSERT_NE(excess, nullptr);
  ASSERT_TRUE(excess->request.has_value());
  EXPECT_EQ(excess->request->direction, DealDirection::kDischarge);
  EXPECT_EQ(excess->request->pair_unit_id.value_or(""), "E002");
  EXPECT_EQ(scenario->slice_at("23:59:59"), &scenario->slices[1]);

  auto hw = load_hw_config(kApis + "/sample/hwConfig.json");
  ASSERT_TRUE(hw.has_value()) << hw.error().message;
}

}  // namespace
}  // namespace wattshare
