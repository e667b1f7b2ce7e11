// apis-main's deal JSON (app/mediator/util/DealUtil.java, with Negotiation.java and
// DealManagement.java building the deal): the bytes apis-main writes to the deal log, which
// apis-main_controller and APIS's log tools read. Vert.x encodes keys in insertion order.
#include <gtest/gtest.h>

#include "core/apis_time.hpp"
#include "engine/deal.hpp"

namespace wattshare {
namespace {

TimePoint at(const char* apis) { return parse_apis_time(apis, Duration::zero()).value(); }

Deal negotiated() {
  Deal d;
  d.unit_id = "E001";
  d.negotiation_id = "n1";
  d.deal_id = "d1";
  d.request_unit_id = "E001";
  d.accept_unit_id = "E002";
  d.request_time = at("2026/12/03-10:00:00");
  d.accept_time = at("2026/12/03-10:00:01");
  d.create_time = at("2026/12/03-10:00:02");
  d.type = DealDirection::kCharge;
  d.charge_unit_id = "E001";
  d.discharge_unit_id = "E002";
  d.request_deal_grid_current_a = 2;
  d.accept_deal_grid_current_a = 2;
  d.deal_grid_current_a = 2;
  d.request_amount_wh = 300;
  d.accept_amount_wh = 250;
  d.deal_amount_wh = 200;
  d.charge_unit_efficient_grid_voltage_v = 350.5;
  d.discharge_unit_efficient_grid_voltage_v = 351;
  return d;
}

// Negotiation.doTreatAccepts_ puts every price, null when the scenario gives none; amounts are
// Integers; DealManagement adds dealId then createDateTime.
constexpr const char* kNegotiated =
    R"({"unitId":"E001","negotiationId":"n1","requestUnitId":"E001","acceptUnitId":"E002",)"
    R"("requestDateTime":"2026/12/03-10:00:00","acceptDateTime":"2026/12/03-10:00:01",)"
    R"("requestPointPerWh":null,"acceptPointPerWh":null,"requestDealGridCurrentA":2.0,)"
    R"("acceptDealGridCurrentA":2.0,"type":"charge","chargeUnitId":"E001","dischargeUnitId":"E002",)"
    R"("pointPerWh":null,"chargeUnitEfficientGridVoltageV":350.5,"dischargeUnitEfficientGridVoltageV":351.0,)"
    R"("dealGridCurrentA":2.0,"requestAmountWh":300,"acceptAmountWh":250,"dealAmountWh":200,)"
    R"("dealId":"d1","createDateTime":"2026/12/03-10:00:02")";

std::string encoded(const Deal& d) { return dump_json(deal_json(d, Duration::zero())); }

TEST(DealUtil, ANewDealHasNoStepTimesAndKeepsNullPrices) {
  EXPECT_EQ(encoded(negotiated()), std::string(kNegotiated) + "}");
}

// DealUtil.activate, rampUp, warmUp, start (cumulateAmountWh the Integer 0), cumulate, stop,
// deactivate (removes isMaster): each time appended as the step happens.
TEST(DealUtil, ACompletedDealHasEveryStepInOrderAndNoDashes) {
  Deal d = negotiated();
  d.activate_time = at("2026/12/03-10:00:05");
  d.is_master = true;
  d.ramp_up_time = at("2026/12/03-10:00:10");
  d.warm_up_time = at("2026/12/03-10:00:15");
  d.start_time = at("2026/12/03-10:00:20");
  d.cumulate_time = d.start_time;
  EXPECT_EQ(encoded(d), std::string(kNegotiated) +
                            R"(,"activateDateTime":"2026/12/03-10:00:05","isMaster":true,)"
                            R"("rampUpDateTime":"2026/12/03-10:00:10","warmUpDateTime":"2026/12/03-10:00:15",)"
                            R"("startDateTime":"2026/12/03-10:00:20","cumulateDateTime":"2026/12/03-10:00:20",)"
                            R"("cumulateAmountWh":0})");
  d.cumulate_time = at("2026/12/03-10:06:00");
  d.cumulate_amount_wh = 200.5;
  d.stop_time = at("2026/12/03-10:06:00");
  d.deactivate_time = at("2026/12/03-10:06:05");
  d.is_master = false;
  EXPECT_EQ(encoded(d), std::string(kNegotiated) +
                            R"(,"activateDateTime":"2026/12/03-10:00:05",)"
                            R"("rampUpDateTime":"2026/12/03-10:00:10","warmUpDateTime":"2026/12/03-10:00:15",)"
                            R"("startDateTime":"2026/12/03-10:00:20","cumulateDateTime":"2026/12/03-10:06:00",)"
                            R"("cumulateAmountWh":200.5,"stopDateTime":"2026/12/03-10:06:00",)"
                            R"("deactivateDateTime":"2026/12/03-10:06:05"})");
}

// DealAbortion: the deal is aborted (DealUtil.abort: "--" for the start and stop it never
// reached), then deactivated (DealDeactivation), whose time comes after the abort's keys.
TEST(DealUtil, AnAbortBeforeTheStartWritesDashesForStartAndStopOnly) {
  Deal d = negotiated();
  d.activate_time = at("2026/12/03-10:00:05");
  d.ramp_up_time = at("2026/12/03-10:00:10");
  d.abort.push_back({at("2026/12/03-10:00:12"), "TEST FEATURE : dcdc / failBeforeWarmUp"});
  d.deactivate_time = at("2026/12/03-10:00:13");
  EXPECT_EQ(encoded(d), std::string(kNegotiated) +
                            R"(,"activateDateTime":"2026/12/03-10:00:05","rampUpDateTime":"2026/12/03-10:00:10",)"
                            R"("abortDateTime":"2026/12/03-10:00:12","abortReason":"TEST FEATURE : dcdc / failBeforeWarmUp",)"
                            R"("abort":[{"dateTime":"2026/12/03-10:00:12","reason":"TEST FEATURE : dcdc / failBeforeWarmUp"}],)"
                            R"("startDateTime":"--","stopDateTime":"--","deactivateDateTime":"2026/12/03-10:00:13"})");
}

// DealUtil.abort on a deal never activated: "--" for all four times, none for ramp-up or warm-up.
TEST(DealUtil, AnAbortBeforeActivationWritesDashesForTheFourTimes) {
  Deal d = negotiated();
  d.abort.push_back({at("2026/12/03-10:00:03"), "TEST FEATURE : dcdc / failBeforeActivate"});
  const std::string json = encoded(d);
  EXPECT_NE(json.find(R"("activateDateTime":"--","deactivateDateTime":"--","startDateTime":"--","stopDateTime":"--"})"),
            std::string::npos)
      << json;
  EXPECT_EQ(json.find("rampUpDateTime"), std::string::npos);
  EXPECT_EQ(json.find("warmUpDateTime"), std::string::npos);
}

// DealUtil.scram on a running deal: stop and deactivate take the scram's time, after its keys.
TEST(DealUtil, AScramStopsAndDeactivatesARunningDealAtItsTime) {
  Deal d = negotiated();
  d.activate_time = at("2026/12/03-10:00:05");
  d.start_time = at("2026/12/03-10:00:20");
  d.cumulate_time = d.start_time;
  d.scram = TimedReason{at("2026/12/03-10:01:00"), "[\"(HARDWARE:GLOBAL:ERROR:E002) bus over voltage\"]"};
  d.stop_time = d.scram->time;
  d.deactivate_time = d.scram->time;
  const std::string json = encoded(d);
  EXPECT_NE(json.find(R"("cumulateAmountWh":0,"scramDateTime":"2026/12/03-10:01:00",)"
                      R"("scramReason":"[\"(HARDWARE:GLOBAL:ERROR:E002) bus over voltage\"]",)"
                      R"("deactivateDateTime":"2026/12/03-10:01:00","stopDateTime":"2026/12/03-10:01:00"})"),
            std::string::npos)
      << json;
}

// DealUtil.scram on an activated deal that never started: deactivated now, "--" for start and
// stop (no stop time on a deal that never started).
TEST(DealUtil, AScramBeforeTheStartWritesNoStopTime) {
  Deal d = negotiated();
  d.activate_time = at("2026/12/03-10:00:05");
  d.scram = TimedReason{at("2026/12/03-10:00:07"), "scram"};
  d.deactivate_time = d.scram->time;
  const std::string json = encoded(d);
  EXPECT_NE(json.find(R"("scramReason":"scram","deactivateDateTime":"2026/12/03-10:00:07",)"
                      R"("startDateTime":"--","stopDateTime":"--"})"),
            std::string::npos)
      << json;
}

// DealMasterAuthorization resets the deal: DealUtil.reset removes the times, and the next
// activation's come after the reset list.
TEST(DealUtil, AResetDealsNextActivationComesAfterItsResetList) {
  Deal d = negotiated();
  d.reset.push_back({at("2026/12/03-10:00:06"), "E001 : TEST FEATURE : dcdc / failAfterAuthorize"});
  d.activate_time = at("2026/12/03-10:00:09");
  d.fail_points = static_cast<std::uint16_t>(FailPoint::kAfterAuthorize);
  EXPECT_EQ(encoded(d), std::string(kNegotiated) +
                            R"(,"reset":[{"dateTime":"2026/12/03-10:00:06","reason":"E001 : TEST FEATURE : dcdc / failAfterAuthorize"}],)"
                            R"("activateDateTime":"2026/12/03-10:00:09",)"
                            R"("testFeature":{"dcdc":{"failAfterAuthorize":true}}})");
}

}  // namespace
}  // namespace wattshare
