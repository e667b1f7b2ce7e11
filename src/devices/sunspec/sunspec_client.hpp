// A SunSpec inverter and grid meter over Modbus TCP (libmodbus), as evcc's `sunspec` source
// reads a SolarEdge site: one connection (SolarEdge serves one client at a time), the map found
// by its "SunS" marker at 40000 (or 0, 50000) and walked model by model, values scaled by their
// SF, the meter's export-positive sign (or inverted), timeouts, and a reconnect with backoff
// (1 s doubling to 30 s) after a failure. Up to three meters: `meter` picks the grid one.
//   SunSpecClient site{{.host = "192.168.1.20", .port = 1502}};
//   auto r = site.read();  if (r) surplus = r->meter_power_w;
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "devices/sunspec/sunspec_model.hpp"

struct _modbus;

namespace wattshare::sunspec {

struct SunSpecOptions {
  std::string host = "127.0.0.1";
  int port = 1502;
  int unit_id = 1;
  std::chrono::milliseconds timeout{1000};
  bool invert_meter = false;  // for meters that count import as positive
  int meter = 1;              // which of up to three meters is at the grid connection
  std::vector<std::uint32_t> bases{40000, 0, 50000};
};

struct SiteReading {
  SunSpecReading map;
  std::optional<double> inverter_power_w;
  std::optional<double> meter_power_w;  // the chosen meter's, export positive
  std::vector<std::optional<double>> meter_powers_w;  // every meter's, same sign rule
  std::optional<double> house_power_w;  // production − export
};

class SunSpecClient {
 public:
  explicit SunSpecClient(SunSpecOptions o);
  ~SunSpecClient();
  SunSpecClient(const SunSpecClient&) = delete;
  SunSpecClient& operator=(const SunSpecClient&) = delete;

  [[nodiscard]] tl::expected<SiteReading, Error> read();
  [[nodiscard]] const SunSpecOptions& options() const { return o_; }
  // Holding registers outside the SunSpec chain on the same connection (SolarEdge serves one
  // client at a time): a StorEdge's battery registers at 0xE100.
  [[nodiscard]] tl::expected<std::vector<std::uint16_t>, Error> read_registers(std::uint32_t address, int count);

 private:
  tl::expected<void, Error> connect();
  tl::expected<std::vector<std::uint16_t>, Error> registers(std::uint32_t address, int count);
  void fail();

  SunSpecOptions o_;
  _modbus* ctx_ = nullptr;
  bool connected_ = false;
  std::optional<std::uint32_t> base_;
  std::chrono::steady_clock::time_point next_attempt_{};
  std::chrono::seconds backoff_{1};
};

}  // namespace wattshare::sunspec
