// The whole-year run of the acceptance list, under the sanitizers (several minutes:
// its own test program with a long timeout).
#include <gtest/gtest.h>

#include "support/sim_cli.hpp"

namespace wattshare {
namespace {

TEST(Year, Oist19SharesAWholeYearWithZeroInvariantViolations) {
  const auto r = test::run_sim_json(
      {"--config", std::string(WATTSHARE_SOURCE_DIR) + "/examples/oist-19", "--days", "365"},
      std::chrono::minutes(25));
  EXPECT_EQ(r["invariant_violations"], 0) << r["invariant_violation_list"].dump();
  EXPECT_GT(r["deals_completed"].get<int>(), 20000);
  EXPECT_EQ(r["deals_scrammed"], 0);
  EXPECT_LE(r["deals_aborted"].get<int>(), r["deals_completed"].get<int>() / 100);
  EXPECT_LE(std::abs(r["energy_balance_error_wh"].get<double>()), 1e-6 * r["load_wh"].get<double>());
  // Sharing helps, and stays under the lossless pooled bound.
  EXPECT_GT(r["shared_wh"].get<double>(), 1e6);
  EXPECT_LT(r["self_sufficiency"].get<double>(), r["pooled_bound_self_sufficiency"].get<double>());
}

}  // namespace
}  // namespace wattshare
