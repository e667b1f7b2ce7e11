// The house's real devices (devices/home) against real peers: Shelly meters as Python's
// http.server answering their documented JSON, a float SunSpec meter and a StorEdge battery
// served by pymodbus, and Tasmota devices on a real mosquitto broker (their messages sent with
// mosquitto_pub, their commands watched with mosquitto_sub). Time given to the devices is
// virtual; only the peers' start-up and message delivery are waited for.
#include <chrono>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "devices/home/batteries.hpp"
#include "devices/home/meters.hpp"
#include "devices/home/mqtt_output.hpp"
#include "devices/home/thermometers.hpp"
#include "support/broker.hpp"
#include "support/process.hpp"

namespace wattshare::home {
namespace {

using std::chrono::milliseconds;

std::unique_ptr<test::ChildProcess> start_peer(const std::vector<std::string>& argv, int& port) {
  auto p = std::make_unique<test::ChildProcess>(argv);
  const auto line = p->read_line(std::chrono::seconds(20));
  port = line && line->starts_with("ready ") ? std::stoi(line->substr(6)) : 0;
  return p;
}

// Waits (in real time, up to 10 s) until `done` holds; false when it never does.
template <typename F>
bool eventually(F done) {
  for (int i = 0; i < 200; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return false;
}

// pymodbus listens just after it prints its port: wait until a first client gets an answer.
bool modbus_listening(int port) {
  return eventually([&] {
    sunspec::SunSpecClient probe{{.port = port}};
    auto r = probe.read();
    return r || r.error().message.find("cannot connect") == std::string::npos;
  });
}

surplus::ValueSource http_source(int port, std::string target, std::string field) {
  return {.host = "127.0.0.1", .port = port, .target = std::move(target), .field = std::move(field)};
}

// The Shelly APIs' documented answers: Gen1 EM /status "emeters"[i]."power" and 3EM "total_power"
// (shelly-api-docs.shelly.cloud/gen1/#shelly-em-status, #shelly-3em-status); Gen2 Pro 3EM
// EM.GetStatus "total_act_power" (gen2/ComponentsAndServices/EM). All count import as positive.
TEST(HomeMeters, ReadShellyMetersAsTheirHttpApisAnswer) {
  int port = 0;
  auto shelly = start_peer({"/usr/bin/python3", WATTSHARE_SOURCE_DIR "/tests/devices/peers/json_http_server.py",
                            R"({"/status": {"emeters": [{"power": -300.5, "is_valid": true}, {"power": -200, "is_valid": true}],
                                            "total_power": 812.25},
                                "/rpc/EM.GetStatus?id=0": {"id": 0, "a_act_power": -400, "total_act_power": -1234.5}})"},
                           port);
  ASSERT_NE(port, 0) << "the HTTP peer did not start";
  const TimePoint t = from_civil(2026, 6, 1);
  ValueMeter pro3em{http_source(port, "/rpc/EM.GetStatus?id=0", "total_act_power"), true, nullptr};
  auto w = pro3em.export_w(t);
  ASSERT_TRUE(w) << w.error();
  EXPECT_EQ(*w, 1234.5);  // exporting
  ValueMeter em{http_source(port, "/status", "emeters.*.power"), true, nullptr};
  EXPECT_EQ(em.export_w(t).value(), 500.5);
  ValueMeter three_em{http_source(port, "/status", "total_power"), true, nullptr};
  EXPECT_EQ(three_em.export_w(t).value(), -812.25);  // importing
  // A wrong model (this one has no Gen2 EM1) and a wrong field name where and what.
  ValueMeter wrong{http_source(port, "/rpc/EM1.GetStatus?id=0", "act_power"), true, nullptr};
  EXPECT_EQ(wrong.export_w(t).error(),
            fmt::format("http://127.0.0.1:{}/rpc/EM1.GetStatus?id=0 field \"act_power\": answered HTTP 404", port));
  ValueMeter typo{http_source(port, "/status", "total_pwr"), true, nullptr};
  EXPECT_EQ(typo.export_w(t).error(),
            fmt::format("http://127.0.0.1:{}/status field \"total_pwr\": no number at \"total_pwr\" in the answer", port));
}

// SunSpec's float meter model 213 (W: float32 at block offset 26), SolarEdge's battery registers
// (StorEdge technical note: 0xE174 power, 0xE184 state of energy, float32 low word first) and
// SunSpec's battery model 802 (sunspec/models model_802.json: SoC +9, W +45, SFs +54 and +61).
TEST(HomeMeters, ReadAFloatSunSpecMeterAndAStorEdgeBatteryOnOneConnection) {
  int port = 0;
  auto peer = start_peer({"/usr/bin/python3", WATTSHARE_SOURCE_DIR "/tests/devices/peers/storedge_pymodbus_server.py",
                          "6400", "3200.5", "1800.25", "64.5"},
                         port);
  ASSERT_NE(port, 0) << "the pymodbus peer did not start";
  ASSERT_TRUE(modbus_listening(port));
  auto device = std::make_shared<SunSpecDevice>(sunspec::SunSpecOptions{.port = port});
  SunSpecMeter meter{device};
  SolarEdgeBattery battery{device, 0xE100};
  SunSpecBattery model_802{device, false};
  const TimePoint t = from_civil(2026, 6, 1);
  auto w = meter.export_w(t);
  ASSERT_TRUE(w) << w.error();
  EXPECT_EQ(*w, 3200.5);
  EXPECT_EQ(meter.inverter_w(), 6400);
  auto b = battery.read(t);
  ASSERT_TRUE(b) << b.error();
  EXPECT_EQ(b->power_w, 1800.25);
  EXPECT_EQ(b->soc_pct, 64.5);
  // The same battery as SunSpec's model 802 (W positive discharging, whole watts; SoC SF -1).
  auto sb = model_802.read(t);
  ASSERT_TRUE(sb) << sb.error();
  EXPECT_EQ(sb->power_w, 1800);
  EXPECT_DOUBLE_EQ(sb->soc_pct, 64.5);

  int nan_port = 0;
  auto broken = start_peer({"/usr/bin/python3", WATTSHARE_SOURCE_DIR "/tests/devices/peers/storedge_pymodbus_server.py",
                            "0", "nan", "0", "nan"},
                           nan_port);
  ASSERT_NE(nan_port, 0);
  ASSERT_TRUE(modbus_listening(nan_port));
  auto nan_device = std::make_shared<SunSpecDevice>(sunspec::SunSpecOptions{.port = nan_port});
  EXPECT_EQ(SunSpecMeter(nan_device).export_w(t).error(), "the meter's power is not implemented or has no scale factor");
  EXPECT_EQ(SolarEdgeBattery(nan_device, 0xE100).read(t).error(),
            "battery registers at 0xe100: power 0, state of energy NaN: not a battery's");
  EXPECT_EQ(SunSpecBattery(nan_device, false).read(t).error(), "no battery (SunSpec model 802) with SoC and W in the map");
}

struct MqttHouse {
  test::Broker broker;
  TimePoint now = from_civil(2026, 6, 1) + hours(10);
  MqttBus bus{{.port = broker.port(), .client_id = "home-devices-test"}, [this] { return now; }};
};

// Tasmota SML (tele/<dev>/SENSOR every teleperiod): each message is one reading, given once; the
// router holds between them; none for a minute is an error.
TEST(HomeMqtt, AMeterOnATopicGivesEachMessageOnceAndGoesStale) {
  MqttHouse h;
  ValueMeter meter{{.kind = surplus::ValueSource::Kind::kMqtt, .topic = "tele/sml/SENSOR", .field = "SML.Power_curr"},
                   true, &h.bus};
  ASSERT_TRUE(h.bus.start());
  ASSERT_TRUE(eventually([&] { return h.bus.connected(); }));
  EXPECT_EQ(meter.export_w(h.now).error(), "mqtt tele/sml/SENSOR field \"SML.Power_curr\": no reading yet");
  // Retained, so it reaches the bus once, whenever its subscription lands.
  ASSERT_TRUE(h.broker.publish("tele/sml/SENSOR", R"({"Time":"2026-06-01T10:00:00","SML":{"Total_in":1234.5,"Power_curr":-812}})",
                               true));
  ASSERT_TRUE(eventually([&] { return h.bus.last("tele/sml/SENSOR").has_value(); }));
  EXPECT_EQ(meter.export_w(h.now).value(), 812.0);
  EXPECT_EQ(meter.export_w(h.now).value(), std::nullopt);  // nothing new: hold
  h.now += seconds(61);
  EXPECT_EQ(meter.export_w(h.now).error(), "mqtt tele/sml/SENSOR field \"SML.Power_curr\": nothing new for 61 s");
  const auto before = h.bus.last("tele/sml/SENSOR")->count;
  h.broker.publish("tele/sml/SENSOR", R"({"SML":{"Power_curr":150}})");
  ASSERT_TRUE(eventually([&] { return h.bus.last("tele/sml/SENSOR")->count > before; }));
  EXPECT_EQ(meter.export_w(h.now).value(), -150.0);
}

// Tasmota's dimmer (tasmota.github.io/docs/Commands: "Dimmer 0..100"; the answer on
// stat/<topic>/RESULT {"POWER":"ON","Dimmer":40}): the power counts only once the device reports
// it; a device that does not answer is an error after 10 s, with the command sent again.
TEST(HomeMqtt, ATasmotaDimmerCountsOnlyWhatItReports) {
  MqttHouse h;
  MqttOutput dimmer{{.command_topic = "cmnd/heater/Dimmer", .payload = "{pct}", .state_topic = "stat/heater/RESULT",
                     .state_field = "Dimmer"},
                    MqttOutput::Value::kPercent, "dimmer", h.bus};
  ASSERT_TRUE(h.bus.start());
  ASSERT_TRUE(eventually([&] { return h.bus.connected(); }));
  test::ChildProcess sub{{"/usr/bin/stdbuf", "-oL", "/usr/bin/mosquitto_sub", "-p", std::to_string(h.broker.port()), "-v",
                          "-t", "cmnd/heater/Dimmer"}};
  std::optional<std::string> line;
  ASSERT_TRUE(eventually([&] {  // the watcher is subscribed once it sees a probe
    h.broker.publish("cmnd/heater/Dimmer", "probe");
    return (line = sub.read_line(milliseconds(100))).has_value();
  }));
  while (line && *line == "cmnd/heater/Dimmer probe") line = sub.read_line(milliseconds(300));

  dimmer.command(h.now, 40);
  line = sub.read_line(milliseconds(5000));
  ASSERT_TRUE(line);
  EXPECT_EQ(*line, "cmnd/heater/Dimmer 40");
  EXPECT_EQ(dimmer.acknowledged(), 0);  // not reported yet: not drawing
  h.broker.publish("stat/heater/RESULT", R"({"POWER":"ON"})");  // an answer to something else
  h.broker.publish("stat/heater/RESULT", R"({"POWER":"ON","Dimmer":40})");
  ASSERT_TRUE(eventually([&] {
    dimmer.command(h.now, 40);
    return dimmer.acknowledged() == 40;
  }));
  EXPECT_EQ(dimmer.error(), "");
  // It stops answering: sent again after 5 s, an error after 10 s, and what it last said counts.
  h.now += seconds(1);
  dimmer.command(h.now, 70);
  EXPECT_EQ(sub.read_line(milliseconds(5000)), "cmnd/heater/Dimmer 70");
  h.now += seconds(5);
  dimmer.command(h.now, 70);
  EXPECT_EQ(sub.read_line(milliseconds(5000)), "cmnd/heater/Dimmer 70");
  h.now += seconds(5);
  dimmer.command(h.now, 70);
  EXPECT_EQ(dimmer.error(), "dimmer mqtt cmnd/heater/Dimmer: commanded 70 for 10 s, stat/heater/RESULT reports 40");
  EXPECT_EQ(dimmer.acknowledged(), 40);
}

// Tasmota's DS18B20 in tele/<dev>/SENSOR and a battery from Home Assistant's state topics, with
// evcc's sign (discharge positive).
TEST(HomeMqtt, AThermometerAndABatteryFromTopics) {
  MqttHouse h;
  ValueThermometer water{{.kind = surplus::ValueSource::Kind::kMqtt, .topic = "tele/boiler/SENSOR",
                          .field = "DS18B20.Temperature"},
                         &h.bus};
  surplus::BatteryDeviceConfig bc{.kind = surplus::BatteryDeviceConfig::Kind::kMqtt,
                                  .power = {.kind = surplus::ValueSource::Kind::kMqtt, .topic = "ha/battery/power"},
                                  .soc = {.kind = surplus::ValueSource::Kind::kMqtt, .topic = "ha/battery/soc"},
                                  .power_discharge_positive = true};
  ValueBattery battery{bc, &h.bus};
  ASSERT_TRUE(h.bus.start());
  ASSERT_TRUE(eventually([&] { return h.bus.connected(); }));
  ASSERT_TRUE(h.broker.publish("tele/boiler/SENSOR", R"({"DS18B20":{"Id":"0316","Temperature":58.4},"TempUnit":"C"})", true));
  ASSERT_TRUE(h.broker.publish("ha/battery/power", "-2500", true));
  ASSERT_TRUE(h.broker.publish("ha/battery/soc", "47", true));
  ASSERT_TRUE(eventually([&] {
    return h.bus.last("tele/boiler/SENSOR") && h.bus.last("ha/battery/power") && h.bus.last("ha/battery/soc");
  }));
  EXPECT_EQ(water.celsius(h.now).value(), 58.4);
  const auto b = battery.read(h.now);
  ASSERT_TRUE(b) << b.error();
  EXPECT_EQ(b->power_w, 2500);  // charging, in our sign
  EXPECT_EQ(b->soc_pct, 47);
  h.now += seconds(61);
  EXPECT_EQ(water.celsius(h.now).error(), "mqtt tele/boiler/SENSOR field \"DS18B20.Temperature\": nothing new for 61 s");
  EXPECT_EQ(battery.read(h.now).error(), "battery power: mqtt ha/battery/power: nothing new for 61 s");
}

}  // namespace
}  // namespace wattshare::home
