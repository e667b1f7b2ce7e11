// The whole driver stack over real pseudo-terminals: an HTTP request to DcdcBattDriver, the
// EZA2500 link on a termios serial port, libmodbus on another, and the emulated converter and
// battery (physics-backed) answering on the pty masters in a server thread.
#include <atomic>

#include <gtest/gtest.h>

#include "devices/battery/battery_emulator.hpp"
#include "devices/eza2500/driver_service.hpp"
#include "devices/eza2500/emulator.hpp"
#include "devices/serial/pty_server.hpp"
#include "devices/serial/serial_port.hpp"

namespace wattshare::eza {
namespace {

using Names = std::vector<std::string_view>;

class DriverStack : public ::testing::Test {
 protected:
  void SetUp() override {
    eza_pty_ = PtyLink::create("").value();
    bms_pty_ = PtyLink::create("").value();
    server_.add(*eza_pty_, eza_);
    server_.add(*bms_pty_, bms_);
    server_.run_in_background();
    port_ = SerialPort::open({.device = eza_pty_->path()}).value();
    LinkOptions lo;
    lo.command_gap = std::chrono::milliseconds(0);
    lo.retry_wait = std::chrono::milliseconds(1);
    lo.reply_timeout = std::chrono::milliseconds(300);  // generous: ASan and a busy machine
    link_ = std::make_unique<Eza2500Link>(*port_, lo);
    battery_client_ = BatteryClient::open({.device = bms_pty_->path(), .response_timeout = std::chrono::milliseconds(300)}).value();
    restart_driver();
  }
  // A driver process that starts afresh: empty cache, converter state unknown.
  void restart_driver() { driver_ = std::make_unique<DcdcBattDriver>(*link_, battery_client_.get(), DriverOptions{}); }

  Json get(const std::string& target, int expected_status = 200) {
    const HttpResponse r = driver_->handle({"GET", target, {}, {}});
    EXPECT_EQ(r.status, expected_status) << target << " → " << r.body;
    return parse_json_text(r.body, target).value();
  }

  Battery battery_{BatteryParams{.capacity_wh = 4800, .initial_rsoc_pct = 62}};
  std::atomic<double> now_s_{0};
  EzaEmulator eza_{battery_, {}, [this] { return now_s_.load(); }};
  BatteryEmulator bms_{battery_, 1};
  std::unique_ptr<PtyLink> eza_pty_, bms_pty_;
  PtyServer server_;  // after what it serves: it stops first
  std::unique_ptr<SerialPort> port_;
  std::unique_ptr<Eza2500Link> link_;
  std::unique_ptr<BatteryClient> battery_client_;
  std::unique_ptr<DcdcBattDriver> driver_;
};

TEST_F(DriverStack, VersionAndHello) {
  EXPECT_EQ(get("/version/get")["comm_interface_version"], "2.0");
  EXPECT_EQ(get("/essx/hello")["message"], "hello world");
  EXPECT_EQ(get("/no/such", 404)["err"], "no such path: /no/such");
  EXPECT_TRUE(eza_.take_history().empty());
}

TEST_F(DriverStack, FirstFullSetFromWaitingSendsParametersThenMode) {
  const Json j = get("/dcdc/set?mode=0x0014&dvg=350&dig=2&drg=0.1");
  EXPECT_EQ(eza_.take_history(), (Names{"1-1", "4-4", "6-4", "1-4", "2-1", "9-1", "10-1"}));
  EXPECT_EQ(j["status"]["status"], "0x0014");
  EXPECT_EQ(j["status"]["operationMode"], "Grid Autonomy");
  EXPECT_EQ(j["status"]["statusName"], "Ignore");
  EXPECT_EQ(j["status"]["alarmState"], "No alarm");
  EXPECT_DOUBLE_EQ(j["vdis"]["dvg"].get<double>(), 349.98779296875);
  EXPECT_DOUBLE_EQ(j["vdis"]["drg"].get<double>(), 0.0999755859375);
  EXPECT_DOUBLE_EQ(j["param"]["dig"].get<double>(), 1.99985504150390625);
  EXPECT_DOUBLE_EQ(j["param"]["cib"].get<double>(), 52.0);  // configured, as the original reports
  EXPECT_EQ(eza_.mode(), kModeGridAutonomy);
  for (const char* k : {"vg", "ig", "vb", "ib", "wg", "wb", "tmp"}) EXPECT_TRUE(j["meter"].contains(k)) << k;
}

TEST_F(DriverStack, EveryModeChangeOfSeed001UsesTheRecommendedOrder) {
  get("/dcdc/set?mode=0x0000&dvg=350&dig=0");
  eza_.take_history();
  // Stop → CC discharge: dvg, dig, then mode.
  get("/dcdc/set?mode=0x0002&dvg=350&dig=1.5");
  EXPECT_EQ(eza_.take_history(), (Names{"4-4", "6-4", "1-4", "2-1", "9-1", "10-1"}));
  // CC → CV: dvg, mode, dig.
  get("/dcdc/set?mode=0x0014&dvg=352&dig=2");
  EXPECT_EQ(eza_.take_history(), (Names{"4-4", "1-4", "6-4", "2-1", "9-1", "10-1"}));
  // CV → Stop: mode first.
  get("/dcdc/set?mode=0x0000&dvg=352&dig=0");
  EXPECT_EQ(eza_.take_history(), (Names{"1-4", "4-4", "6-4", "2-1", "9-1", "10-1"}));
  // Stop → CC charge, then CC → Stop.
  get("/dcdc/set?mode=0x0041&dvg=352&dig=1");
  EXPECT_EQ(eza_.take_history(), (Names{"4-4", "6-4", "1-4", "2-1", "9-1", "10-1"}));
  EXPECT_EQ(eza_.mode(), kModeCcCharge);
  const Json stopped = get("/dcdc/set?mode=0x0000&dvg=352&dig=0");
  EXPECT_EQ(eza_.take_history(), (Names{"1-4", "4-4", "6-4", "2-1", "9-1", "10-1"}));
  EXPECT_EQ(stopped["status"]["operationMode"], "Waiting");
  EXPECT_EQ(stopped["status"]["runningState"], "off");
  EXPECT_EQ(eza_.mode(), kModeWaiting);
}

TEST_F(DriverStack, CurrentAndVoltageSetsSendOnlyTheirCommand) {
  get("/dcdc/set?mode=0x0014&dvg=350&dig=2");
  eza_.take_history();
  const Json c = get("/dcdc/set?dig=3");
  EXPECT_EQ(eza_.take_history(), (Names{"6-4", "10-1"}));
  EXPECT_DOUBLE_EQ(c["param"]["dig"].get<double>(), value(kCmd6_1, field::kDig, 3145));
  EXPECT_FALSE(c.contains("status"));
  const Json v = get("/dcdc/set?dvg=360&drg=0");
  EXPECT_EQ(eza_.take_history(), (Names{"4-4", "10-1"}));
  EXPECT_DOUBLE_EQ(v["vdis"]["dvg"].get<double>(), value(kCmd4_1, field::kDvg, 15521));
  EXPECT_DOUBLE_EQ(v["vdis"]["drg"].get<double>(), 0.0);
  // The v1 paths reach the same handlers.
  get("/remote/set/current?dig=2.5");
  get("/remote/set/voltage?dvg=350");
  EXPECT_EQ(eza_.take_history(), (Names{"6-4", "10-1", "4-4", "10-1"}));
}

TEST_F(DriverStack, AfterARestartOmittedValuesComeFromTheConverter) {
  get("/dcdc/set?mode=0x0014&dvg=350&dig=2&drg=0.1");
  restart_driver();
  eza_.take_history();
  // The original answers "No dvg" here (its cache died with the process) or sends drg 0.
  const Json j = get("/dcdc/set?mode=0x0000");
  EXPECT_EQ(eza_.take_history(), (Names{"1-1", "4-1", "6-1", "1-4", "4-4", "6-4", "2-1", "9-1", "10-1"}));
  EXPECT_DOUBLE_EQ(j["vdis"]["dvg"].get<double>(), 349.98779296875);
  EXPECT_DOUBLE_EQ(j["vdis"]["drg"].get<double>(), 0.0999755859375);
  EXPECT_DOUBLE_EQ(j["param"]["dig"].get<double>(), 1.99985504150390625);
  restart_driver();
  get("/dcdc/set?dig=1");  // needs nothing cached
  EXPECT_EQ(eza_.take_history(), (Names{"6-4", "10-1"}));
}

TEST_F(DriverStack, ReadsMapToApisJson) {
  get("/dcdc/set?mode=0x0002&dvg=350&dig=2");
  now_s_ = 1.0;  // a second of physics: the current ramps to its set-point
  const Json all = get("/all/get");
  std::vector<std::string> keys;
  for (auto& [k, v] : all.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"rsoc", "battery_operation_status", "meter", "param", "status", "vdis"}));
  EXPECT_NEAR(all["rsoc"].get<double>(), 62.0, 0.1);
  EXPECT_EQ(all["battery_operation_status"], 3);
  EXPECT_EQ(all["status"]["status"], "0x0002");
  EXPECT_EQ(all["status"]["runningState"], "discharge");
  EXPECT_NEAR(all["meter"]["ig"].get<double>(), -2.0, 0.01);   // APIS sign: discharging is negative
  EXPECT_NEAR(all["meter"]["vg"].get<double>(), 346.0, 0.5);  // 345 V held by the others, 0.5 Ω
  EXPECT_LT(all["meter"]["wb"].get<double>(), all["meter"]["wg"].get<double>());  // losses
  EXPECT_EQ(eza_.take_history(), (Names{"1-1", "4-1", "4-4", "6-4", "1-4", "2-1", "9-1", "10-1",
                                        "1-1", "2-1", "4-1", "9-1", "10-1", "6-1"}));
  const Json status = get("/dcdc/get/status");
  EXPECT_EQ(status["status"]["operationMode"], "Heteronomy CV");
  EXPECT_FALSE(get("/dcdc/get").contains("powermeter"));
  EXPECT_EQ(get("/remote/get")["powermeter"]["kwh1"], 0);
  const Json battery = get("/battery/get");
  EXPECT_EQ(battery.size(), 2u);
  const Json log = get("/1/log/data");
  EXPECT_DOUBLE_EQ(log["charge_discharge_power"].get<double>(), 1040.0);
  EXPECT_EQ(log["battery_comm_err"], 0);
}

TEST_F(DriverStack, BadParametersAreRefusedBeforeAnythingIsSent) {
  EXPECT_EQ(get("/dcdc/set?mode=0x0003&dvg=350&dig=1", 400)["err"], "bad value: operation mode: 3");
  EXPECT_EQ(get("/dcdc/set?mode=14&dvg=350&dig=1", 400)["err"],
            "bad value: mode=\"14\": expected 0x followed by hex digits");
  EXPECT_EQ(get("/dcdc/set?mode=0x0014&dvg=abc&dig=1", 400)["err"], "bad value: dvg=\"abc\": not a decimal number");
  EXPECT_EQ(get("/dcdc/set?dig=100", 400)["err"],
            "bad value: dig=100: outside what the field can carry (0 to 62.499046325683594)");
  EXPECT_EQ(get("/dcdc/set?dig=1&dig=2", 400).contains("err"), true);
  EXPECT_TRUE(eza_.take_history().empty());
  EXPECT_EQ(eza_.mode(), kModeWaiting);
}

TEST_F(DriverStack, AConverterFailureAnswers400AndCommandsWaiting) {
  get("/dcdc/set?mode=0x0014&dvg=350&dig=2");
  eza_.take_history();
  eza_.inject({.kind = EzaFault::kNak, .ercd = 0xFFFE, .count = 1});  // the next reply: "parameter invalid", no resend
  EXPECT_EQ(get("/dcdc/set?dig=3", 400)["err"], "6-4: error: ERCD=fffe (command parameter invalid)");
  EXPECT_EQ(eza_.take_history(), (Names{"6-4", "1-4"}));
  EXPECT_EQ(eza_.mode(), kModeWaiting);
  EXPECT_EQ(driver_->converter_mode(), kModeWaiting);

  eza_.inject({.kind = EzaFault::kNak, .ercd = 0xFFFD, .count = 2});  // busy twice, then fine
  get("/dcdc/get/status");
  EXPECT_EQ(eza_.take_history(), (Names{"1-1", "1-1", "1-1", "2-1", "10-1"}));

  eza_.inject({.kind = EzaFault::kBadChecksum, .count = 3});  // three corrupted replies: the 4th attempt passes
  get("/dcdc/get/status");
  EXPECT_EQ(eza_.take_history().size(), 6u);

  eza_.inject({.kind = EzaFault::kWrongCommand, .count = 4});  // four wrong replies: out of resends
  EXPECT_TRUE(get("/dcdc/get/status", 400)["err"].get<std::string>().starts_with("1-1: bad reply: cmd 0x01"));
  EXPECT_EQ(eza_.take_history(), (Names{"1-1", "1-1", "1-1", "1-1", "1-4"}));
  EXPECT_EQ(eza_.mode(), kModeWaiting);
}

TEST_F(DriverStack, ASilentConverterTimesOutWithoutHanging) {
  get("/dcdc/set?mode=0x0041&dvg=350&dig=1");
  eza_.take_history();
  eza_.inject({.kind = EzaFault::kSilence, .count = -1});
  EXPECT_EQ(get("/dcdc/get/status", 400)["err"], "1-1: timeout (no complete reply within 300 ms)");
  // Four tries of the read, four of the Waiting command.
  EXPECT_EQ(eza_.take_history(), (Names{"1-1", "1-1", "1-1", "1-1", "1-4", "1-4", "1-4", "1-4"}));
  EXPECT_FALSE(driver_->converter_mode().has_value());
  eza_.inject({});
  EXPECT_EQ(get("/dcdc/get/status")["status"]["status"], "0x0000");  // it took the Waiting command
}

TEST_F(DriverStack, BatteryDenialMidOperationForcesWaiting) {
  get("/all/get");
  get("/dcdc/set?mode=0x0002&dvg=350&dig=2");
  EXPECT_EQ(eza_.mode(), kModeCcDischarge);
  bms_.set_denied(true);
  const WatchdogResult w = driver_->watchdog_tick();
  ASSERT_TRUE(w.reading);
  EXPECT_EQ(w.reading->permission, BatteryPermission::kDeny);
  EXPECT_TRUE(w.forced_wait);
  EXPECT_EQ(eza_.mode(), kModeWaiting);
  EXPECT_EQ(get("/battery/get")["battery_operation_status"], 0);
  EXPECT_EQ(get("/dcdc/set?mode=0x0002&dvg=350&dig=2", 400)["err"],
            "battery denies operation: mode 0x0002 refused, only 0x0000 is accepted");
  get("/dcdc/set?mode=0x0000&dvg=350&dig=0");
  bms_.set_denied(false);
  EXPECT_FALSE(driver_->watchdog_tick().forced_wait);
  get("/dcdc/set?mode=0x0002&dvg=350&dig=2");
  EXPECT_EQ(eza_.mode(), kModeCcDischarge);
}

TEST_F(DriverStack, BatteryFaultsAreReportedAndTheWatchdogKeepsGoing) {
  bms_.inject({.kind = BatteryFault::kException, .exception = modbus::kIllegalDataAddress, .count = 1});
  const std::string e = get("/battery/get", 400)["err"];
  EXPECT_NE(e.find("read 2 input register(s) at 0x001d"), std::string::npos) << e;
  EXPECT_NE(e.find("Illegal data address"), std::string::npos) << e;
  EXPECT_EQ(bms_.requests(), 1u);  // an exception is an answer: not resent

  bms_.inject({.kind = BatteryFault::kBadCrc, .count = 1});  // one corrupted reply: the resend passes
  EXPECT_NEAR(get("/battery/get")["rsoc"].get<double>(), 62.0, 0.1);

  get("/dcdc/set?mode=0x0041&dvg=350&dig=1");
  bms_.inject({.kind = BatteryFault::kSilence, .count = -1});
  EXPECT_NE(get("/all/get", 400)["err"].get<std::string>().find("modbus io exception"), std::string::npos);
  const WatchdogResult w = driver_->watchdog_tick();  // unreadable battery: Waiting, to be safe
  EXPECT_TRUE(w.error);
  EXPECT_TRUE(w.forced_wait);
  EXPECT_EQ(eza_.mode(), kModeWaiting);
  bms_.inject({});
  const WatchdogResult again = driver_->watchdog_tick();  // still working after the error
  ASSERT_TRUE(again.reading);
  EXPECT_FALSE(again.forced_wait);
}

// The fail-safe at the device: a node killed mid-deal must not leave its converter driving.
TEST_F(DriverStack, ANodeSilentForTheBoundLeavesTheConverterWaitingOnce) {
  const TimePoint t0 = TimePoint{} + hours(1);
  const Duration bound = seconds(10);
  get("/dcdc/set?mode=0x0041&dvg=350&dig=2");
  driver_->note_contact(t0);
  eza_.take_history();
  EXPECT_FALSE(driver_->silence_tick(t0 + seconds(9), bound).forced_wait);
  EXPECT_TRUE(eza_.take_history().empty());  // nothing sent while the node is within its bound
  EXPECT_EQ(eza_.mode(), kModeCcCharge);
  const WatchdogResult w = driver_->silence_tick(t0 + seconds(10), bound);
  EXPECT_TRUE(w.forced_wait);
  EXPECT_FALSE(w.error);
  EXPECT_EQ(eza_.mode(), kModeWaiting);
  EXPECT_EQ(eza_.take_history(), (Names{"1-4"}));
  // Once per silence: no command every tick.
  EXPECT_FALSE(driver_->silence_tick(t0 + seconds(30), bound).forced_wait);
  EXPECT_TRUE(eza_.take_history().empty());
  // The node is back and commands again: the watchdog is armed again.
  get("/dcdc/set?mode=0x0002&dvg=350&dig=1");
  driver_->note_contact(t0 + seconds(40));
  EXPECT_FALSE(driver_->silence_tick(t0 + seconds(45), bound).forced_wait);
  EXPECT_TRUE(driver_->silence_tick(t0 + seconds(50), bound).forced_wait);
  EXPECT_EQ(eza_.mode(), kModeWaiting);
}

TEST_F(DriverStack, ASilenceWatchdogRetriesWhileTheConverterDoesNotAnswer) {
  const TimePoint t0 = TimePoint{} + hours(1);
  get("/dcdc/set?mode=0x0041&dvg=350&dig=2");
  driver_->note_contact(t0);
  eza_.inject({.kind = EzaFault::kSilence, .count = -1});
  const WatchdogResult lost = driver_->silence_tick(t0 + seconds(10), seconds(10));
  EXPECT_FALSE(lost.forced_wait);
  ASSERT_TRUE(lost.error);
  EXPECT_EQ(lost.error->message, "the converter did not take the Waiting command; trying again");
  eza_.inject({});
  EXPECT_TRUE(driver_->silence_tick(t0 + seconds(11), seconds(10)).forced_wait);
  EXPECT_EQ(eza_.mode(), kModeWaiting);
}

// A driver that starts with no node (or whose node died before it restarted) puts a converter it
// finds driving to Waiting once the bound has passed since its start.
TEST_F(DriverStack, ADriverWhoseNodeNeverSpeaksStopsTheConverterAfterTheBound) {
  get("/dcdc/set?mode=0x0002&dvg=350&dig=2");
  restart_driver();  // converter state unknown to the new driver
  const TimePoint start = TimePoint{} + hours(2);
  EXPECT_FALSE(driver_->silence_tick(start, seconds(10)).forced_wait);
  EXPECT_EQ(eza_.mode(), kModeCcDischarge);
  EXPECT_TRUE(driver_->silence_tick(start + seconds(10), seconds(10)).forced_wait);
  EXPECT_EQ(eza_.mode(), kModeWaiting);
}

TEST_F(DriverStack, NoBatteryMeansCommError) {
  DcdcBattDriver no_battery{*link_, nullptr, {}};
  const HttpResponse r = no_battery.handle({"GET", "/battery/get", {}, {}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"err":"comm error"})");
}

TEST(SerialPortErrors, NameTheDevice) {
  auto p = SerialPort::open({.device = "/nonexistent/ttyUSB9"});
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().message, "serial port /nonexistent/ttyUSB9: No such file or directory");
  auto pty = PtyLink::create("").value();
  auto bad = SerialPort::open({.device = pty->path(), .baud = 12345});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidConfig);
  auto battery = BatteryClient::open({.device = "/nonexistent/ttyUSB8"});
  ASSERT_FALSE(battery);
  EXPECT_NE(battery.error().message.find("/nonexistent/ttyUSB8"), std::string::npos);
}

}  // namespace
}  // namespace wattshare::eza
