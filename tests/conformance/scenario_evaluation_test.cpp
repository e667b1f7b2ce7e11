// apis-main's SimpleScenarioEvaluationImpl (evaluation/scenario/impl/): who answers a request.
#include <gtest/gtest.h>

#include "config/scenario.hpp"
#include "core/json_file.hpp"
#include "engine/engine_fixture.hpp"

namespace wattshare {
namespace {

const std::string kSample = std::string(WATTSHARE_TEST_DATA_DIR) + "/apis-configs/sample/scenario.json";

// Every unit runs apis-main's own sample-scenario.json, in its morning slice (00:00-12:00 local),
// where requests are paired with E002 and accepts with E003.
class SampleScenario : public test::EngineFixture {
 protected:
  SampleScenario() { start_ = from_civil(2021, 3, 1) + hours(0); }  // 09:00 in Okinawa
  void tweak(UnitSpec& u) override {
    auto s = load_scenario(kSample);
    ASSERT_TRUE(s.has_value()) << s.error().message;
    u.apis.scenario = *s;
  }
};

// SimpleScenarioEvaluationImpl.treatRequest: an accept rule with a pairUnitId answers only the
// request of that unit ("pairUnitId == null || pairUnitId.equals(request.getString("unitId"))"),
// and a request with a pairUnitId is answered only by that unit. With the sample file, E003's
// charge request (paired with E002) meets E002's discharge accept (paired with E003); E004's
// identical request is refused by E002's pairing, and E001's discharge request finds no one.
TEST_F(SampleScenario, SimpleScenarioEvaluationImplTreatRequestPairedAcceptsAnswerOnlyTheirUnit) {
  // 4800 Wh batteries: E001 excess (4560), E002 sufficient (3840), E003 and E004 short (1920).
  build({{"E001", 95}, {"E002", 80}, {"E003", 40}, {"E004", 40}});
  ASSERT_TRUE(run_until([&] { return !states_.empty(); }, minutes(5)))
      << "no deal: a paired accept rule never answered";
  scheduler_->run_for(minutes(20));
  ASSERT_FALSE(logged_.empty());
  for (const auto& d : logged_) {
    EXPECT_EQ(d.request_unit_id, "E003") << d.deal_id;
    EXPECT_EQ(d.accept_unit_id, "E002") << d.deal_id;
    EXPECT_EQ(d.charge_unit_id, "E003");
    EXPECT_EQ(d.request_pair_unit_id, "E002");
    EXPECT_EQ(d.accept_pair_unit_id, "E003");
  }
}

// AbstractScenarioEvaluationImpl.batteryStatus: bands are tried in file order and the first that
// holds the remaining energy names the status, so overlapping bands are valid. Here "1800-3000"
// (short) comes before "-2400" (middle), which overlaps it: a unit at 1920 Wh is short and
// requests (sorted by lower bound it would be middle and ask nothing); one at 4560 Wh is excess
// and accepts.
class OverlappingBands : public test::EngineFixture {
 protected:
  void tweak(UnitSpec& u) override {
    const char* text = R"({"00:00:00-24:00:00": {
      "batteryStatus": {"1800-3000": "short", "-2400": "middle", "4320-": "excess"},
      "request": {"short": {"charge": {"limitWh": 2880}}},
      "accept": {"excess": {"discharge": {"limitWh": 3600}}}}})";
    auto s = parse_scenario(parse_json_text(text, "overlap.json").value(), "overlap.json");
    ASSERT_TRUE(s.has_value()) << s.error().message;
    ASSERT_FALSE(s->warnings.empty());
    u.apis.scenario = *s;
  }
};

TEST_F(OverlappingBands, AbstractScenarioEvaluationImplBatteryStatusTakesTheFirstBandInFileOrder) {
  build({{"E001", 95}, {"E002", 40}});
  ASSERT_TRUE(run_until([&] { return !states_.empty(); }, minutes(5))) << "no deal with overlapping bands";
  scheduler_->run_for(minutes(20));
  ASSERT_FALSE(logged_.empty());
  EXPECT_EQ(logged_.front().request_unit_id, "E002");
  EXPECT_EQ(logged_.front().charge_unit_id, "E002");
  EXPECT_EQ(logged_.front().accept_unit_id, "E001");
}

}  // namespace
}  // namespace wattshare
