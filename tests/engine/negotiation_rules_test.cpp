// Scenario evaluation and deal sizing (reference §4.2-4.3), case by case.
#include "engine/negotiation_rules.hpp"

#include <gtest/gtest.h>

#include "config/scenario.hpp"
#include "core/json_file.hpp"

namespace wattshare {
namespace {

Scenario scenario(const std::string& request_pair = "", const std::string& accept_pair = "") {
  const std::string rp = request_pair.empty() ? "" : ", \"pairUnitId\": \"" + request_pair + "\"";
  const std::string ap = accept_pair.empty() ? "" : ", \"pairUnitId\": \"" + accept_pair + "\"";
  const std::string text = R"({"00:00:00-24:00:00": {
    "batteryStatus": {"4320-": "excess", "3600-4320": "sufficient", "2880-3600": "scarce", "-2880": "short"},
    "request": {"excess": {"discharge": {"limitWh": 4320, "pointPerWh": 10)" + rp + R"(}},
                "sufficient": {}, "scarce": {},
                "short": {"charge": {"limitWh": 2880, "pointPerWh": 10)" + rp + R"(}}},
    "accept": {"excess": {"discharge": {"limitWh": 3600, "pointPerWh": 12)" + ap + R"(}},
               "sufficient": {"discharge": {"limitWh": 3600, "pointPerWh": 9)" + ap + R"(}},
               "scarce": {"charge": {"limitWh": 3600, "pointPerWh": 11}},
               "short": {"charge": {"limitWh": 3600}}}}})";
  return parse_scenario(parse_json_text(text, "s.json").value(), "s.json").value();
}

Policy policy() {
  Policy p;
  p.mediator.deal_grid_current_a = 1;
  p.mediator.deal_amount_min_wh = 50;
  p.mediator.deal_amount_max_wh = 200;
  p.mediator.deal_amount_unit_wh = 50;
  return p;
}

TEST(NegotiationRules, RequestsFollowTheBatteryStatus) {
  const Scenario s = scenario();
  const auto& slice = s.slices[0];
  const std::string a = "E001", b = "E002";
  auto short_req = make_request(slice, UnitView{a, 2000, 330, {}}, policy());
  ASSERT_TRUE(short_req.has_value());
  EXPECT_EQ(short_req->type, DealDirection::kCharge);
  EXPECT_DOUBLE_EQ(short_req->amount_wh, 880);  // 2880 - 2000
  EXPECT_DOUBLE_EQ(short_req->deal_grid_current_a, 1);
  auto excess = make_request(slice, UnitView{b, 4700, 330, {}}, policy());
  ASSERT_TRUE(excess.has_value());
  EXPECT_EQ(excess->type, DealDirection::kDischarge);
  EXPECT_DOUBLE_EQ(excess->amount_wh, 380);
  // Sufficient: no request; excess just above its limit: the amount is not above the minimum.
  EXPECT_FALSE(make_request(slice, UnitView{a, 4000, 330, {}}, policy()).has_value());
  EXPECT_FALSE(make_request(slice, UnitView{a, 4350, 330, {}}, policy()).has_value());
}

TEST(NegotiationRules, AcceptsTakeTheOppositeDirectionAndHonourPairs) {
  const std::string a = "E001", b = "E002", c = "E003";
  const Scenario s = scenario();
  auto request = make_request(s.slices[0], UnitView{a, 2000, 330, {}}, policy()).value();
  auto accept = make_accept(s.slices[0], UnitView{b, 4500, 331, {}}, request, policy());
  ASSERT_TRUE(accept.has_value());
  EXPECT_EQ(accept->type, DealDirection::kDischarge);
  EXPECT_DOUBLE_EQ(accept->amount_wh, 900);  // 4500 - 3600
  // A charging unit does not accept a charge request.
  EXPECT_FALSE(make_accept(s.slices[0], UnitView{b, 3000, 331, {}}, request, policy()).has_value());
  // The requester named its pair: only that unit may accept.
  const Scenario paired = scenario("E003");
  auto to_c = make_request(paired.slices[0], UnitView{a, 2000, 330, {}}, policy()).value();
  EXPECT_FALSE(make_accept(paired.slices[0], UnitView{b, 4500, 331, {}}, to_c, policy()).has_value());
  EXPECT_TRUE(make_accept(paired.slices[0], UnitView{c, 4500, 331, {}}, to_c, policy()).has_value());
  // The acceptor's own rule names a pair: it accepts only that requester.
  const Scenario only_c = scenario("", "E003");
  EXPECT_FALSE(make_accept(only_c.slices[0], UnitView{b, 4500, 331, {}}, request, policy()).has_value());
}

Offer offer(const std::string& unit, double amount, std::optional<double> price) {
  Offer o;
  o.unit_id = unit;
  o.amount_wh = amount;
  o.point_per_wh = price;
  o.deal_grid_current_a = 1;
  return o;
}

TEST(NegotiationRules, ChoosingAnAccept) {
  Offer buy = offer("R", 500, 10);
  buy.type = DealDirection::kCharge;
  const std::vector<Offer> accepts{offer("A", 300, 9), offer("B", 800, 12), offer("C", 400, 8),
                                   offer("D", 600, 8), offer("E", 900, std::nullopt)};
  // amount: the largest amount, price ignored.
  EXPECT_EQ(choose_accept(AcceptSelection::kAmount, buy, accepts)->unit_id, "E");
  // pointAndAmount, buying: the cheapest at or below 10, ties to the larger amount.
  EXPECT_EQ(choose_accept(AcceptSelection::kPointAndAmount, buy, accepts)->unit_id, "D");
  // pointAndAmount, selling at 10: the dearest at or above 10.
  Offer sell = buy;
  sell.type = DealDirection::kDischarge;
  EXPECT_EQ(choose_accept(AcceptSelection::kPointAndAmount, sell, accepts)->unit_id, "B");
  // A requester's pair filters the accepts first.
  Offer paired = buy;
  paired.pair_unit_id = "A";
  EXPECT_EQ(choose_accept(AcceptSelection::kAmount, paired, accepts)->unit_id, "A");
  paired.pair_unit_id = "Z";
  EXPECT_EQ(choose_accept(AcceptSelection::kAmount, paired, accepts), nullptr);
  // Nothing below the buyer's price: no deal.
  Offer cheap = buy;
  cheap.point_per_wh = 5;
  EXPECT_EQ(choose_accept(AcceptSelection::kPointAndAmount, cheap, accepts), nullptr);
}

TEST(NegotiationRules, DealSizeIsClampedAndFloored) {
  Offer req = offer("R", 880, 10), acc = offer("A", 930, 12);
  req.type = DealDirection::kCharge;
  auto t = size_deal(req, acc, policy());
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->amount_wh, 200);  // amountMaxWh
  EXPECT_EQ(t->point_per_wh, 10);  // the charge side's price
  acc.amount_wh = 149;
  EXPECT_EQ(size_deal(req, acc, policy())->amount_wh, 100);  // floored to 50 Wh units
  acc.amount_wh = 49;
  EXPECT_FALSE(size_deal(req, acc, policy()).has_value());  // below amountMinWh
  acc.amount_wh = 300;
  acc.deal_grid_current_a = 0.5;
  EXPECT_DOUBLE_EQ(size_deal(req, acc, policy())->grid_current_a, 0.5);
}

}  // namespace
}  // namespace wattshare
