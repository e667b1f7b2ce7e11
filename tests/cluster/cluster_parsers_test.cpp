// What a node reads from outside, checked: base64, etcd's gateway replies and watch lines, the
// deal table on the wire (lossless), an APIS driver's JSON.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cluster/driver_client.hpp"
#include "cluster/etcd_client.hpp"
#include "cluster/wire.hpp"
#include "core/base64.hpp"

namespace wattshare::cluster {
namespace {

TEST(Base64, RoundTripsAndRefusesWhatIsNotCanonical) {
  for (const std::string& s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\0\xff\x10", 3)}) {
    EXPECT_EQ(base64_decode(base64_encode(s)), s);
  }
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_FALSE(base64_decode("Zm9"));    // not a multiple of 4
  EXPECT_FALSE(base64_decode("Zm9*"));   // not the alphabet
  EXPECT_FALSE(base64_decode("Z=9v"));   // padding inside
  EXPECT_FALSE(base64_decode("Zm9="));   // dropped bits not zero
  EXPECT_FALSE(base64_decode("Zg=a"));
}

TEST(EtcdReplies, RangeTxnAndWatchAsTheGatewaySendsThem) {
  const auto range = parse_range(*parse_json_text(
      R"({"header":{"revision":"7"},"kvs":[{"key":"Zm9v","create_revision":"2","mod_revision":"7","version":"3","value":"YmFy","lease":"99"}],"count":"1"})",
      "r"));
  ASSERT_TRUE(range) << range.error().message;
  EXPECT_EQ(range->revision, 7);
  ASSERT_EQ(range->kvs.size(), 1u);
  EXPECT_EQ(range->kvs[0].key, "foo");
  EXPECT_EQ(range->kvs[0].value, "bar");
  EXPECT_EQ(range->kvs[0].create_revision, 2);
  EXPECT_EQ(range->kvs[0].lease, 99);
  const auto failed = parse_txn(*parse_json_text(
      R"({"header":{"revision":"3"},"responses":[{"response_range":{"kvs":[{"key":"Zm9v","value":"cXV4","create_revision":"3"}]}}]})", "t"));
  ASSERT_TRUE(failed);
  EXPECT_FALSE(failed->succeeded);  // etcd leaves "succeeded" out when false
  EXPECT_EQ(failed->ranged.at(0).value, "qux");
  const auto events = parse_watch_message(
      R"({"result":{"header":{"revision":"9"},"events":[{"kv":{"key":"Zm9v","mod_revision":"9","value":"YQ=="}},{"type":"DELETE","kv":{"key":"Zm9v","mod_revision":"10"}}]}})");
  ASSERT_TRUE(events) << events.error().message;
  ASSERT_EQ(events->events.size(), 2u);
  EXPECT_EQ(events->revision, 9);
  EXPECT_EQ(events->events[0].type, WatchEvent::Type::kPut);
  EXPECT_EQ(events->events[1].type, WatchEvent::Type::kDelete);
  EXPECT_EQ(events->events[1].kv.mod_revision, 10);
  // A progress notice: only the revision; a compaction: where it cut.
  const auto progress = parse_watch_message(R"({"result":{"header":{"revision":"42"}}})");
  ASSERT_TRUE(progress);
  EXPECT_TRUE(progress->events.empty());
  EXPECT_EQ(progress->revision, 42);
  const auto compacted = parse_watch_message(
      R"({"result":{"header":{"revision":"80"},"canceled":true,"compact_revision":"77","cancel_reason":"mvcc: required revision has been compacted"}})");
  ASSERT_TRUE(compacted) << compacted.error().message;
  EXPECT_EQ(compacted->compact_revision, 77);
  EXPECT_EQ(prefix_end("/a/"), "/a0");
  EXPECT_EQ(prefix_end(std::string("a\xff", 2)), "b");
}

TEST(EtcdReplies, BadRepliesSayWhatIsWrong) {
  auto bad_range = [](std::string_view text) { return parse_range(*parse_json_text(text, "r")).error().message; };
  EXPECT_EQ(bad_range(R"({"kvs":[]})"), "etcd: a reply without a header");
  EXPECT_EQ(bad_range(R"({"header":{"revision":"x7"}})"), "etcd: header.revision: expected a number, got \"x7\"");
  EXPECT_EQ(bad_range(R"({"header":{"revision":"1"},"kvs":[{"key":"!!!!","value":""}]})"),
            "etcd: a key that is missing or not base64");
  EXPECT_EQ(bad_range(R"({"header":{"revision":"1"},"kvs":{}})"), "etcd: kvs is not a list");
  EXPECT_EQ(parse_watch_message(R"({"result":{"canceled":true,"cancel_reason":"permission denied"}})").error().message,
            "etcd: the watch was cancelled: permission denied");
  EXPECT_EQ(parse_watch_message(R"({"result":{"compact_revision":"7x"}})").error().message,
            "etcd: compact_revision: expected a number, got \"7x\"");
  EXPECT_EQ(parse_watch_message(R"({"error":{"grpc_code":14}})").error().message, R"(etcd: watch: {"grpc_code":14})");
  EXPECT_EQ(parse_watch_message(R"({"result":{"events":[{"type":"EXPLODE","kv":{"key":"YQ=="}}]}})").error().message,
            "etcd: an event of type EXPLODE");
  EXPECT_FALSE(parse_watch_message("not json"));
}

Deal a_running_deal() {
  Deal d;
  d.unit_id = d.request_unit_id = d.charge_unit_id = "E003";
  d.accept_unit_id = d.discharge_unit_id = "E001";
  d.negotiation_id = "n-1";
  d.deal_id = "d-1";
  d.type = DealDirection::kCharge;
  d.request_time = d.accept_time = d.create_time = from_civil(2026, 12, 1) + milliseconds(123);
  d.request_point_per_wh = 10;
  d.deal_grid_current_a = 1.5;
  d.deal_amount_wh = 300;
  d.request_pair_unit_id = "E001";
  d.activate_time = d.create_time + seconds(3);
  d.start_time = d.create_time + seconds(30);
  d.compensation_target_vr_ig_a = -1.25;
  d.cumulate_meter_wh = 1234.5;
  d.cumulate_amount_wh = 42.25;
  d.is_master = true;
  d.reset.push_back({d.create_time + seconds(5), "voltage reference authorization failed"});
  d.scram = TimedReason{d.create_time + seconds(40), "bus over voltage"};
  d.need_to_stop_reasons = {"E003 is full"};
  d.fail_points = 0x0024;
  return d;
}

TEST(Wire, DealsRoundTripLosslessly) {
  const Deal d = a_running_deal();
  auto back = deal_from_wire(*parse_json_text(dump_json(to_wire(d)), "deal"));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(dump_json(to_wire(*back)), dump_json(to_wire(d)));
  EXPECT_EQ(back->state(), DealState::kStarted);
  EXPECT_EQ(back->scram->reason, "bus over voltage");
  EXPECT_EQ(back->request_pair_unit_id, "E001");
  EXPECT_FALSE(back->accept_pair_unit_id);
  EXPECT_EQ(back->create_time, d.create_time);
}

TEST(Wire, CommandsDataAndOffersRoundTripAndBadOnesAreRefused) {
  ControlCommand c{ControlKind::kDidHandOver, 2.5, 0, DealDirection::kDischarge};
  auto c2 = command_from_wire(to_wire(c));
  ASSERT_TRUE(c2);
  EXPECT_EQ(c2->kind, ControlKind::kDidHandOver);
  EXPECT_EQ(c2->then, DealDirection::kDischarge);
  UnitData u;
  u.mode = DcdcMode::kCharge;
  u.meter.ig_a = 1.5;
  u.rsoc_pct = 55.5;
  u.battery_status = BatteryPermission::kChargeOnly;
  u.time = from_civil(2026, 12, 1);
  auto u2 = unit_data_from_wire(to_wire(u));
  ASSERT_TRUE(u2);
  EXPECT_EQ(u2->mode, DcdcMode::kCharge);
  EXPECT_EQ(u2->battery_status, BatteryPermission::kChargeOnly);
  EXPECT_FALSE(u2->wb_energy_wh);
  Offer o{"E002", DealDirection::kDischarge, 450, 10.0, std::nullopt, 345, from_civil(2026, 12, 1), 1};
  EXPECT_EQ(offer_from_wire(to_wire(o))->amount_wh, 450);

  Json wrong = to_wire(c);
  wrong["kind"] = 99;
  EXPECT_EQ(command_from_wire(wrong).error().message, "a device command from etcd: unknown command kind 99");
  Json mode = to_wire(u);
  mode["mode"] = 7;
  EXPECT_EQ(unit_data_from_wire(mode).error().message, "unit data from etcd: unknown mode 7");
  Json deal = to_wire(a_running_deal());
  deal.erase("wh");
  EXPECT_NE(deal_from_wire(deal).error().message.find("a deal from etcd: "), std::string::npos);
  // Found by fuzz_etcd_events: times, amounts and counts far outside an integer's range (or not
  // whole) are refused by name; they were cast, which is undefined behaviour.
  for (const char* key : {"request_time", "wh", "fail_points"}) {
    deal = to_wire(a_running_deal());
    deal[key] = 6.6e117;
    EXPECT_EQ(deal_from_wire(deal).error().message,
              fmt::format("a deal from etcd: {}: expected a whole number, got number 6.6e+117", key));
  }
  deal = to_wire(a_running_deal());
  deal["fail_points"] = 70000;
  EXPECT_EQ(deal_from_wire(deal).error().message, "a deal from etcd: fail_points: expected a whole number, got number 70000");
  Json data = to_wire(u);
  data["t"] = -1e300;
  EXPECT_EQ(unit_data_from_wire(data).error().message, "unit data from etcd: t: expected a whole number, got number -1e+300");
  deal = to_wire(a_running_deal());
  deal["type"] = "sideways";
  EXPECT_EQ(deal_from_wire(deal).error().message, "a deal from etcd: unknown deal direction \"sideways\"");
}

TEST(Wire, MemberRecordsRoundTripAndKeepWhatCanBeRead) {
  MemberRecord m;
  m.pid = 4242;
  m.capacity = 2;
  m.errors = true;
  m.rejected_commands = 3;
  m.market = 17;
  m.effective_mode = OperationMode::kAutonomous;
  m.local_mode = OperationMode::kStop;
  m.recent_errors = {"(HARDWARE:LOCAL:ERROR:E001) x"};
  UnitData u;
  u.mode = DcdcMode::kVoltageReference;
  u.rsoc_pct = 61.5;
  m.data = u;
  auto back = member_from_wire(to_wire(m));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->pid, 4242);
  EXPECT_EQ(back->capacity, 2);
  EXPECT_TRUE(back->errors);
  EXPECT_EQ(back->rejected_commands, 3u);
  EXPECT_EQ(back->market, 17u);
  EXPECT_EQ(back->effective_mode, OperationMode::kAutonomous);
  EXPECT_EQ(back->local_mode, OperationMode::kStop);
  EXPECT_EQ(back->recent_errors, m.recent_errors);
  ASSERT_TRUE(back->data);
  EXPECT_EQ(back->data->mode, DcdcMode::kVoltageReference);
  EXPECT_DOUBLE_EQ(back->data->rsoc_pct, 61.5);

  // A first record (before the agent runs) has no modes and no data.
  auto first = member_from_wire(Json{{"pid", 7}, {"capacity", 1}, {"errors", false}});
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->effective_mode);
  EXPECT_FALSE(first->data);
  // Unreadable modes, error lines and data are left out; wrong counts and flags are refused.
  Json odd = to_wire(m);
  odd["effective_mode"] = "sideways";
  odd["recent_errors"] = Json::array({1, "kept"});
  odd["data"] = "junk";
  auto lenient = member_from_wire(odd);
  ASSERT_TRUE(lenient);
  EXPECT_FALSE(lenient->effective_mode);
  EXPECT_EQ(lenient->recent_errors, std::vector<std::string>{"kept"});
  EXPECT_FALSE(lenient->data);
  EXPECT_EQ(member_from_wire(Json::array()).error().message, "a member record from etcd: expected a JSON object");
  Json bad = to_wire(m);
  bad["market"] = 1e30;
  EXPECT_EQ(member_from_wire(bad).error().message, "a member record from etcd: market: expected a whole number, got number 1e+30");
  bad = to_wire(m);
  bad["errors"] = "yes";
  EXPECT_NE(member_from_wire(bad).error().message.find("a member record from etcd: "), std::string::npos);
}

TEST(DriverJson, EmulatorAndDcdcBattCommShapesAndWhatASetterLeavesOut) {
  const TimePoint now = from_civil(2026, 12, 1);
  const auto emu = unit_data_from_driver_json(*parse_json_text(R"({
      "emu": {"rsoc": 62.5, "battery_operation_status": 3},
      "dcdc": {"status": {"status": "0x0014", "alarmState": "Light alarm"},
               "meter": {"wg": 10, "vg": 350.2, "ig": -0.5, "wb": -12, "vb": 51, "ib": -0.2, "tmp": 30},
               "vdis": {"dvg": 350, "drg": 0.1}, "param": {"dig": 2, "ogv": 400, "ugv": 300, "cib": 52, "obv": 59, "ubv": 40}}})", "e"),
                                              UnitData{}, now);
  ASSERT_TRUE(emu) << emu.error().message;
  EXPECT_EQ(emu->mode, DcdcMode::kVoltageReference);
  EXPECT_EQ(emu->alarm, AlarmLevel::kLight);
  EXPECT_DOUBLE_EQ(emu->meter.vg_v, 350.2);
  EXPECT_DOUBLE_EQ(emu->rsoc_pct, 62.5);
  EXPECT_EQ(emu->time, now);
  // apis-emulator's voltage setter: meter and vdis only, the mode and battery stay.
  const auto set = unit_data_from_driver_json(
      *parse_json_text(R"({"meter":{"wg":0,"vg":340,"ig":0,"wb":0,"vb":51,"ib":0,"tmp":25},"vdis":{"dvg":340,"drg":0}})", "s"), *emu, now);
  ASSERT_TRUE(set);
  EXPECT_EQ(set->mode, DcdcMode::kVoltageReference);
  EXPECT_DOUBLE_EQ(set->dvg_v, 340);
  EXPECT_DOUBLE_EQ(set->rsoc_pct, 62.5);
  // dcdc_batt_comm's /all/get: the battery at the top, numbers as strings are fine.
  const auto v2 = unit_data_from_driver_json(*parse_json_text(R"({"rsoc":"48.5","battery_operation_status":1,
      "status":{"status":"0x0041"},"meter":{"wg":1,"vg":"349.9","ig":1.2,"wb":1,"vb":50,"ib":1,"tmp":25}})", "v2"),
                                             UnitData{}, now);
  ASSERT_TRUE(v2) << v2.error().message;
  EXPECT_EQ(v2->mode, DcdcMode::kCharge);
  EXPECT_DOUBLE_EQ(v2->meter.vg_v, 349.9);
  EXPECT_EQ(v2->battery_status, BatteryPermission::kChargeOnly);
}

TEST(DriverJson, BadRepliesAreRefusedWithWhatIsWrong) {
  auto problem = [](std::string_view text) {
    return unit_data_from_driver_json(*parse_json_text(text, "x"), UnitData{}, TimePoint{}).error().message;
  };
  EXPECT_EQ(problem("[1]"), "driver reply: not a JSON object");
  EXPECT_EQ(problem(R"({"emu":{}})"), "driver reply: no DC/DC object (status, meter, vdis or param)");
  EXPECT_EQ(problem(R"({"status":{"status":"0x9999"}})"), "driver reply: status.status is not a mode code: string \"0x9999\"");
  EXPECT_EQ(problem(R"({"status":{"status":"0x0000"},"meter":{"vg":"high"}})"), "driver reply: meter.vg is missing or not a number");
  EXPECT_EQ(problem(R"({"status":{"status":"0x0000"},"rsoc":140})"), "driver reply: rsoc 140 is outside 0–100");
  EXPECT_EQ(problem(R"({"status":{"status":"0x0000"},"battery_operation_status":7})"),
            "driver reply: battery_operation_status 7 is not 0–3");
}

}  // namespace
}  // namespace wattshare::cluster
