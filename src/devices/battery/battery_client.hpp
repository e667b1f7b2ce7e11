// The house battery over Modbus RTU (reference §8), with libmodbus: reads RSOC (register 30030,
// 0.1 %) and the permit/deny bit (30031) and converts them to APIS's rsoc and
// battery_operation_status. Beyond the original: one read when the two registers are adjacent
// (the original made two), a real retry after a failed read, values checked (RSOC ≤ 100.0 %),
// and a reconnect when the port went away.
//   auto battery = BatteryClient::open({.device = "/dev/ttyUSB1"});
//   auto r = battery->read();  if (r && r->permission == BatteryPermission::kDeny) ...
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <tl/expected.hpp>

#include "core/error.hpp"
#include "physics/battery.hpp"

struct _modbus;

namespace wattshare {

struct BatteryLinkOptions {
  std::string device;
  int baud = 9600;
  int slave = 1;
  int rsoc_register = 30030;    // register numbers as documented; PDU address = n − 30001
  int status_register = 30031;
  std::chrono::milliseconds response_timeout{1000};
  std::chrono::milliseconds byte_timeout{500};  // between the bytes of one reply (libmodbus's default)
  int retries = 1;
};

struct BatteryReading {
  double rsoc_pct = 0;
  BatteryPermission permission = BatteryPermission::kPermit;
  std::uint16_t rsoc_raw = 0, status_raw = 0;
};

// RSOC 0…1000 and the deny bit to APIS values; refuses an RSOC above 1000.
[[nodiscard]] tl::expected<BatteryReading, Error> battery_reading(std::uint16_t rsoc_raw,
                                                                  std::uint16_t status_raw);

class BatteryClient {
 public:
  [[nodiscard]] static tl::expected<std::unique_ptr<BatteryClient>, Error> open(const BatteryLinkOptions& o);
  ~BatteryClient();
  BatteryClient(const BatteryClient&) = delete;
  BatteryClient& operator=(const BatteryClient&) = delete;

  [[nodiscard]] tl::expected<BatteryReading, Error> read();
  // Drops bytes received and not read (a late reply to an earlier request).
  void discard_input();
  [[nodiscard]] const BatteryLinkOptions& options() const { return o_; }

 private:
  explicit BatteryClient(BatteryLinkOptions o) : o_(std::move(o)) {}
  tl::expected<void, Error> connect();
  tl::expected<BatteryReading, Error> read_once();
  tl::expected<std::uint16_t, Error> read_registers(int address, int count, std::uint16_t* out);

  BatteryLinkOptions o_;
  _modbus* ctx_ = nullptr;
  bool connected_ = false;
};

}  // namespace wattshare
