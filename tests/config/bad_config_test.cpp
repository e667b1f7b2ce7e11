// Broken configuration files are refused with a message naming the file, the key and the
// problem; the whole set is cross-checked.
#include <gtest/gtest.h>

#include "config/config_set.hpp"
#include "support/temp_dir.hpp"

namespace wattshare {
namespace {

const char* kConfig = R"({
  "unitId": "E001", "systemType": "dcdc_emulator",
  "hwConfigFile": "hwConfig.json", "policyFile": "policy.json", "scenarioFile": "scenario.json"
})";

const char* kHw = R"({
  "batteryNominalCapacityWh": 4800, "gridCurrentCapacityA": 2.3, "gridCurrentAllowanceA": 0.125,
  "droopRatio": 0.039,
  "safety": {"range": {"dcdc": {"meter": {
    "tmp": {"min": 0, "max": 45}, "vg": {"min": -4, "max": 380}, "vb": {"min": 32, "max": 58.4},
    "ig": {"min": -2.35, "max": 2.35}, "ib": {"min": -20, "max": 20}}}}}
})";

const char* kPolicy = R"({
  "operationMode": "stop", "memberUnitIds": ["E001", "E002"],
  "operationGridVoltageV": 350, "operationGridVoltageVRange": {"min": 300, "max": 380},
  "gridVoltageSeparationV": 10, "gridVoltageAllowanceV": 4, "gridVoltageDropAllowanceV": 20,
  "gridCurrentStepA": 1, "gridUvloMaskV": 10,
  "safety": {"sumOfDealingUnitGridCurrentAllowancePerUnitA": 0.125, "sumOfDealGridCurrentMaxA": 100},
  "mediator": {"deal": {"gridCurrentA": 1, "amountMinWh": 50, "amountMaxWh": 50, "amountUnitWh": 50}}
})";

const char* kScenario = R"({
  "acceptSelection": {"strategy": "amount"},
  "00:00:00-24:00:00": {
    "batteryStatus": {"3000-": "excess", "1000-3000": "sufficient", "-1000": "short"},
    "request": {"excess": {"discharge": {"limitWh": 3000, "pointPerWh": 10}}, "sufficient": {},
                "short": {"charge": {"limitWh": 1000, "pointPerWh": 10, "pairUnitId": "E002"}}},
    "accept": {"excess": {"discharge": {"limitWh": 2000}}, "sufficient": {},
               "short": {"charge": {"limitWh": 2000}}}
  }
})";

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "test setup: '" << from << "' not in the base file";
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

struct BadCase {
  const char* name;
  const char* file;  // which file to break
  const char* from;
  const char* to;
  std::vector<const char*> expected;  // fragments of the message
};

// The base set with the case's change, written to `dir` and loaded.
tl::expected<ConfigSet, Error> load_changed(const test::TempDir& dir, const BadCase& c) {
  std::map<std::string, std::string> files{{"config.json", kConfig},
                                           {"hwConfig.json", kHw},
                                           {"policy.json", kPolicy},
                                           {"scenario.json", kScenario}};
  files[c.file] = replace(files[c.file], c.from, c.to);
  for (const auto& [name, text] : files) dir.write(name, text);
  return load_config_set(dir.path("config.json"));
}

// A case's name as a test name: letters and digits, the rest '_'.
std::string case_name(const ::testing::TestParamInfo<BadCase>& info) {
  std::string n = info.param.name;
  for (auto& ch : n)
    if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
}

class BadConfig : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadConfig, IsRefusedNamingFileKeyAndProblem) {
  const BadCase& c = GetParam();
  test::TempDir dir;
  auto set = load_changed(dir, c);
  ASSERT_FALSE(set.has_value()) << c.name;
  EXPECT_EQ(set.error().code, ErrorCode::kInvalidConfig);
  for (const char* fragment : c.expected)
    EXPECT_NE(set.error().message.find(fragment), std::string::npos)
        << c.name << ": '" << fragment << "' not in:\n" << set.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadConfig,
    ::testing::Values(
        BadCase{"syntax", "policy.json", "\"stop\",", "\"stop\" ,,",
                {"policy.json:2:", "JSON syntax error"}},
        BadCase{"missing required key", "hwConfig.json", "\"gridCurrentCapacityA\": 2.3,", "",
                {"hwConfig.json: key 'gridCurrentCapacityA': missing (expected a number)"}},
        BadCase{"wrong type", "hwConfig.json", "\"droopRatio\": 0.039", "\"droopRatio\": \"low\"",
                {"hwConfig.json: key 'droopRatio': expected a number, got string \"low\""}},
        BadCase{"pairUnitId not a member", "scenario.json", "\"pairUnitId\": \"E002\"",
                "\"pairUnitId\": \"E009\"",
                {"scenario.json: key '00:00:00-24:00:00.request.short.charge.pairUnitId': 'E009' "
                 "is not in memberUnitIds"}},
        BadCase{"deal min above max", "policy.json", "\"amountMinWh\": 50", "\"amountMinWh\": 80",
                {"policy.json: key 'mediator.deal.amountMinWh': 80 Wh is above "
                 "mediator.deal.amountMaxWh 50 Wh"}},
        BadCase{"capacity below one deal current", "hwConfig.json", "\"gridCurrentCapacityA\": 2.3",
                "\"gridCurrentCapacityA\": 0.5",
                {"hwConfig.json: key 'gridCurrentCapacityA': 0.5 A is smaller than one deal current"}},
        BadCase{"unit not a member", "config.json", "\"unitId\": \"E001\"", "\"unitId\": \"E007\"",
                {"config.json: key 'unitId': 'E007' is not in memberUnitIds"}},
        BadCase{"unknown systemType", "config.json", "dcdc_emulator", "dcdc_v9",
                {"key 'systemType': unknown value 'dcdc_v9'"}},
        BadCase{"voltage outside its range", "policy.json", "\"operationGridVoltageV\": 350",
                "\"operationGridVoltageV\": 390",
                {"key 'operationGridVoltageV': 390 V is outside operationGridVoltageVRange"}},
        BadCase{"unknown operation mode", "policy.json", "\"operationMode\": \"stop\"",
                "\"operationMode\": \"run\"", {"key 'operationMode': unknown operation mode 'run'"}},
        BadCase{"status without band", "scenario.json", "\"sufficient\": {},\n                \"short\"",
                "\"sufficient\": {}, \"medium\": {},\n                \"short\"",
                {"key '00:00:00-24:00:00.request.medium': status is not defined"}},
        BadCase{"bad slice key", "scenario.json", "00:00:00-24:00:00", "00:00:00-25:00:00",
                {"key '00:00:00-25:00:00'", "time slice"}},
        BadCase{"missing referenced file", "config.json", "\"policy.json\"", "\"nope.json\"",
                {"nope.json: cannot open file"}}),
    case_name);

// What apis-main loads with at most a WARN loads here too, each case a warning line naming the
// file and the key (AbstractScenarioEvaluationImpl.batteryStatus takes bands in file order;
// SimpleScenarioEvaluationImpl.checkStatus charges when a request holds both directions and
// treatRequest looks an accept up by the direction it needs; Policy.masterDealSelectionStrategy
// warns "not supported, use 'newestDeal'").
class WarnedConfig : public ::testing::TestWithParam<BadCase> {};

TEST_P(WarnedConfig, LoadsWithAWarningNamingFileAndKey) {
  const BadCase& c = GetParam();
  test::TempDir dir;
  auto set = load_changed(dir, c);
  ASSERT_TRUE(set.has_value()) << c.name << ": " << set.error().message;
  std::string all;
  for (const auto& w : set->warnings) all += w + "\n";
  for (const char* fragment : c.expected)
    EXPECT_NE(all.find(fragment), std::string::npos) << c.name << ": '" << fragment << "' not in:\n" << all;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, WarnedConfig,
    ::testing::Values(
        BadCase{"overlapping bands", "scenario.json", "\"1000-3000\"", "\"900-3100\"",
                {"scenario.json: key '00:00:00-24:00:00.batteryStatus'", "overlap: the first in the file wins"}},
        BadCase{"gapped bands", "scenario.json", "\"1000-3000\"", "\"1200-3000\"",
                {"scenario.json: key '00:00:00-24:00:00.batteryStatus'", "gap between bands", "1000-1200 Wh"}},
        BadCase{"request both directions", "scenario.json",
                "\"excess\": {\"discharge\": {\"limitWh\": 3000, \"pointPerWh\": 10}}",
                "\"excess\": {\"discharge\": {\"limitWh\": 3000}, \"charge\": {\"limitWh\": 4000}}",
                {"scenario.json: key '00:00:00-24:00:00.request.excess': has both charge and discharge: the charge"}},
        BadCase{"accept both directions", "scenario.json", "\"accept\": {\"excess\": {\"discharge\": {\"limitWh\": 2000}}",
                "\"accept\": {\"excess\": {\"discharge\": {\"limitWh\": 2000}, \"charge\": {\"limitWh\": 4000}}",
                {"scenario.json: key '00:00:00-24:00:00.accept.excess': has both charge and discharge"}},
        BadCase{"no accept in a slice", "scenario.json",
                ",\n    \"accept\": {\"excess\": {\"discharge\": {\"limitWh\": 2000}}, \"sufficient\": {},\n               \"short\": {\"charge\": {\"limitWh\": 2000}}}",
                "", {"scenario.json: key '00:00:00-24:00:00.accept': missing: this unit makes no accept"}},
        BadCase{"unsupported master deal selection", "policy.json", "\"operationMode\": \"stop\",",
                "\"operationMode\": \"stop\", \"gridMaster\": {\"masterDealSelection\": {\"strategy\": \"longLastingDeal\"}},",
                {"policy.json: key 'gridMaster.masterDealSelection.strategy': 'longLastingDeal' not supported, use 'newestDeal'"}},
        // Keys of apis-main's machinery that wattshare does otherwise are named, never dropped silently.
        BadCase{"helo period", "policy.json", "\"operationMode\": \"stop\",", "\"operationMode\": \"stop\", \"heloPeriodMsec\": 5000,",
                {"policy.json: key 'heloPeriodMsec': not used: members find each other through their etcd records"}},
        BadCase{"battery capacity management", "config.json", "\"unitId\": \"E001\",",
                "\"unitId\": \"E001\", \"batteryCapacityManagement\": {\"enabled\": true},",
                {"config.json: key 'batteryCapacityManagement.enabled': not supported"}}),
    case_name);

TEST(WarnedConfigRules, OverlappingBandsTakeTheFirstInFileOrderAndBothWayAcceptsAnswerBoth) {
  test::TempDir dir;
  dir.write("config.json", kConfig);
  dir.write("hwConfig.json", kHw);
  dir.write("policy.json", kPolicy);
  std::string scenario = replace(kScenario, "\"1000-3000\"", "\"900-3100\"");
  scenario = replace(scenario, "\"accept\": {\"excess\": {\"discharge\": {\"limitWh\": 2000}}",
                     "\"accept\": {\"excess\": {\"discharge\": {\"limitWh\": 2000}, \"charge\": {\"limitWh\": 4000}}");
  dir.write("scenario.json", scenario);
  auto set = load_config_set(dir.path("config.json"));
  ASSERT_TRUE(set.has_value()) << set.error().message;
  const TimeSlice& slice = set->scenario.slices[0];
  // File order: "3000-" excess, "900-3100" sufficient, "-1000" short.
  EXPECT_EQ(slice.band_for(950)->status, "sufficient");
  EXPECT_EQ(slice.band_for(3050)->status, "excess");
  EXPECT_EQ(slice.band_for(899)->status, "short");
  const StatusRules* excess = slice.rules_for("excess");
  ASSERT_NE(excess, nullptr);
  ASSERT_TRUE(excess->accept(DealDirection::kCharge).has_value());
  EXPECT_DOUBLE_EQ(excess->accept(DealDirection::kCharge)->limit_wh, 4000);
  EXPECT_DOUBLE_EQ(excess->accept(DealDirection::kDischarge)->limit_wh, 2000);
}

TEST(GoodConfig, TheBaseSetLoads) {
  test::TempDir dir;
  dir.write("config.json", kConfig);
  dir.write("hwConfig.json", kHw);
  dir.write("policy.json", kPolicy);
  dir.write("scenario.json", kScenario);
  auto set = load_config_set(dir.path("config.json"));
  ASSERT_TRUE(set.has_value()) << set.error().message;
  EXPECT_EQ(set->warnings, std::vector<std::string>{});
  EXPECT_EQ(set->scenario.slices[0].bands.size(), 3u);
  EXPECT_EQ(set->scenario.slices[0].band_for(999)->status, "short");
  EXPECT_EQ(set->scenario.slices[0].band_for(1000)->status, "sufficient");
  EXPECT_EQ(set->scenario.slices[0].band_for(4800)->status, "excess");
}

}  // namespace
}  // namespace wattshare
