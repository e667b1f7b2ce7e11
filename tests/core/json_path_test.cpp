#include "core/json_path.hpp"

#include <gtest/gtest.h>

namespace wattshare {
namespace {

// Payloads as the devices send them: a Shelly Gen1 EM's /status (two clamps), a Shelly add-on's
// temperature, Tasmota's SENSOR and RESULT, Home Assistant's plain state.
TEST(JsonPath, FindsTheNumberADeviceSends) {
  EXPECT_EQ(number_in_payload(R"({"emeters":[{"power":-300.5},{"power":-200}]})", "emeters.*.power"), -500.5);
  EXPECT_EQ(number_in_payload(R"({"ext_temperature":[{"tC":61.25}]})", "ext_temperature.0.tC"), 61.25);
  EXPECT_EQ(number_in_payload(R"({"SML":{"Power_curr":-812}})", "SML.Power_curr"), -812);
  EXPECT_EQ(number_in_payload("1234.5", ""), 1234.5);
  EXPECT_EQ(text_in_payload("ON", ""), "ON");
  EXPECT_EQ(text_in_payload(R"({"POWER":"OFF","Dimmer":40})", "POWER"), "OFF");
  EXPECT_EQ(text_in_payload(R"({"output":true})", "output"), "true");
}

TEST(JsonPath, AnythingElseIsNoNumber) {
  EXPECT_EQ(number_in_payload(R"({"emeters":[{"power":1},{"volt":230}]})", "emeters.*.power"), std::nullopt);
  EXPECT_EQ(number_in_payload(R"({"emeters":[]})", "emeters.*.power"), std::nullopt);
  EXPECT_EQ(number_in_payload(R"({"a":[1,2]})", "a.2"), std::nullopt);
  EXPECT_EQ(number_in_payload(R"({"a":[1,2]})", "a.-1"), std::nullopt);
  EXPECT_EQ(number_in_payload(R"({"a":"12"})", "a"), std::nullopt);
  EXPECT_EQ(number_in_payload("unavailable", ""), std::nullopt);  // Home Assistant's
  EXPECT_EQ(number_in_payload(R"({"a":{"b":1})", "a.b"), std::nullopt);  // cut short
  EXPECT_EQ(text_in_payload("not json", "POWER"), std::nullopt);
}

}  // namespace
}  // namespace wattshare
