// SunSpec over Modbus TCP: the model chain walked and scaled, bad maps refused, and the libmodbus
// client against our own server and against an independent peer (Debian's pymodbus) with other
// models, scale factors and signs.
#include <atomic>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "devices/sunspec/sunspec_client.hpp"
#include "devices/sunspec/sunspec_server.hpp"
#include "support/process.hpp"

namespace wattshare::sunspec {
namespace {

TEST(SunSpecMap, WalksTheChainAndScalesTheValues) {
  const auto regs = solaredge_registers({.inverter_power_w = 45678, .meter_power_w = -1234});
  auto r = parse_sunspec(regs, 40000);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->manufacturer, "SolarEdge");
  EXPECT_EQ(r->model, "SE5K-RW0TEBEN4");
  EXPECT_EQ(r->serial, "7E1234AB");
  EXPECT_EQ(r->inverter_model, 103);
  EXPECT_DOUBLE_EQ(*r->inverter_power_w, 45680);  // above int16: SF 1
  EXPECT_DOUBLE_EQ(*r->meter_power_w, -1234);
  EXPECT_EQ(r->inverter_status, 4);
  EXPECT_EQ(r->meter_models, (std::vector<std::uint16_t>{203}));
  ASSERT_EQ(r->models.size(), 4u);
  EXPECT_EQ(r->models[1].address, 40069u);
  EXPECT_EQ(r->models[3].address, 40188u);
}

TEST(SunSpecMap, NotImplementedAndNonsenseValuesAreMissing) {
  EXPECT_DOUBLE_EQ(*scaled(12345, static_cast<std::uint16_t>(-2)), 123.45);
  EXPECT_FALSE(scaled(0x8000, 0));       // int16 "not implemented"
  EXPECT_FALSE(scaled(100, 0x8000));     // SF "not implemented"
  EXPECT_FALSE(scaled(100, 11));         // no meter reads 10^11
  auto regs = solaredge_registers({.inverter_power_w = 3000, .meter_power_w = 100});
  regs[69 + 14] = 0x8000;
  auto r = parse_sunspec(regs, 40000);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->inverter_power_w);
  EXPECT_DOUBLE_EQ(*r->meter_power_w, 100);
}

TEST(SunSpecMap, BadMapsAreRefusedWithWhereAndWhat) {
  auto regs = solaredge_registers({});
  regs[1] = 0x6E54;
  EXPECT_EQ(parse_sunspec(regs, 40000).error().message, "SunSpec map at 40000: no \"SunS\" marker (found 5375 6e54)");
  regs = solaredge_registers({});
  regs[70] = 400;  // the inverter claims more registers than the map has
  EXPECT_EQ(parse_sunspec(regs, 40000).error().message,
            "SunSpec map at 40000: model 103 at 40069 is 400 registers long, past the end of the map");
  regs = solaredge_registers({});
  regs.pop_back();  // no end marker
  EXPECT_EQ(parse_sunspec(regs, 40000).error().message, "SunSpec map at 40000: the model chain runs past register 40295");
  EXPECT_FALSE(parse_sunspec(std::vector<std::uint16_t>{0x5375, 0x6E53, 0xFFFF, 0}, 40000));  // no device at all
}

TEST(SunSpecClient, ReadsOurServerAndReconnectsWithBackoff) {
  std::atomic<double> meter{2500};
  auto server = SunSpecServer::listen("127.0.0.1", 0, [&] { return SiteValues{4000, meter.load(), 4}; }).value();
  std::atomic<bool> stop{false};
  std::thread t{[&] { server->run(stop); }};
  SunSpecClient client{{.port = server->port()}};
  auto r = client.read();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_DOUBLE_EQ(*r->inverter_power_w, 4000);
  EXPECT_DOUBLE_EQ(*r->meter_power_w, 2500);
  EXPECT_DOUBLE_EQ(*r->house_power_w, 1500);
  meter = -700;  // importing
  EXPECT_DOUBLE_EQ(*client.read()->house_power_w, 4700);
  SunSpecClient inverted{{.port = server->port(), .invert_meter = true}};
  EXPECT_DOUBLE_EQ(*inverted.read()->meter_power_w, 700);

  const int port = server->port();
  stop = true;
  t.join();
  server.reset();
  auto lost = client.read();
  ASSERT_FALSE(lost);
  auto again = client.read();  // within the backoff: no new connection attempt
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("waiting"), std::string::npos) << again.error().message;
  EXPECT_NE(again.error().message.find(fmt::format("127.0.0.1:{}", port)), std::string::npos);
}

// The pymodbus peer: MARKER INV_W_RAW INV_SF METER_W_RAW METER_SF.
std::pair<std::unique_ptr<test::ChildProcess>, int> pymodbus_peer(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"/usr/bin/python3", std::string(WATTSHARE_SOURCE_DIR) + "/tests/devices/peers/sunspec_pymodbus_server.py"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto p = std::make_unique<test::ChildProcess>(argv);
  const auto line = p->read_line(std::chrono::seconds(20));
  if (!line || !line->starts_with("ready ")) return {std::move(p), 0};
  return {std::move(p), std::stoi(line->substr(6))};
}

// The peer starts listening just after it prints its port: retry the first connection briefly.
tl::expected<SiteReading, Error> read_peer(int port) {
  tl::expected<SiteReading, Error> r = tl::make_unexpected(Error::not_available("never tried"));
  for (int i = 0; i < 50; ++i) {
    SunSpecClient client{{.port = port}};
    r = client.read();
    if (r || r.error().message.find("cannot connect") == std::string::npos) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return r;
}

TEST(SunSpecClient, ReadsAnIndependentPymodbusPeerWithOtherScalesAndSigns) {
  auto [peer, port] = pymodbus_peer({"SunS", "12345", "-1", "-500", "1"});
  ASSERT_NE(port, 0) << "the pymodbus peer did not start";
  auto r = read_peer(port);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->map.manufacturer, "SolarEdge");
  EXPECT_EQ(r->map.model, "SE7K-PYMODBUS");
  EXPECT_EQ(r->map.inverter_model, 101);
  EXPECT_EQ(r->map.inverter_status, 5);
  EXPECT_DOUBLE_EQ(*r->inverter_power_w, 1234.5);
  EXPECT_DOUBLE_EQ(*r->meter_power_w, -5000);  // importing 5 kW
  EXPECT_DOUBLE_EQ(*r->house_power_w, 6234.5);
  EXPECT_EQ(r->meter_powers_w.size(), 1u);
}

TEST(SunSpecClient, ReadsTheChosenOfSeveralMeters) {
  auto [peer, port] = pymodbus_peer({"SunS", "3000", "0", "1200", "0", "-4321", "-1"});
  ASSERT_NE(port, 0) << "the pymodbus peer did not start";
  ASSERT_TRUE(read_peer(port));
  SunSpecClient second{{.port = port, .meter = 2}};
  auto r = second.read();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->map.meter_models, (std::vector<std::uint16_t>{201, 203}));
  ASSERT_EQ(r->meter_powers_w.size(), 2u);
  EXPECT_DOUBLE_EQ(*r->meter_powers_w[0], 1200);
  EXPECT_DOUBLE_EQ(*r->meter_powers_w[1], -432.1);
  EXPECT_DOUBLE_EQ(*r->meter_power_w, -432.1);
  SunSpecClient third{{.port = port, .meter = 3}};
  EXPECT_EQ(third.read().error().message, fmt::format("SunSpec 127.0.0.1:{}: no meter 3 in the map (it has 2)", port));
}

TEST(SunSpecClient, APeerWithoutTheMarkerIsRefusedWithWhatWasFound) {
  auto [peer, port] = pymodbus_peer({"SunX", "0", "0", "0", "0"});
  ASSERT_NE(port, 0);
  auto r = read_peer(port);
  ASSERT_FALSE(r);
  // 40000 holds the wrong marker; 0 and 50000 are outside the peer's map (Modbus exceptions).
  EXPECT_NE(r.error().message.find("no \"SunS\" marker (40000: 5375 6e58; 0: "), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("Illegal data address"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace wattshare::sunspec
