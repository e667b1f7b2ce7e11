#include "devices/battery/battery_client.hpp"

#include "devices/modbus_errors.hpp"

#include <modbus.h>

#include <cerrno>

#include <fmt/format.h>

namespace wattshare {

tl::expected<BatteryReading, Error> battery_reading(std::uint16_t rsoc_raw, std::uint16_t status_raw) {
  if (rsoc_raw > 1000) {
    return tl::make_unexpected(Error::bad_input(
        fmt::format("battery: RSOC register reads {} (above 1000 = 100.0 %)", rsoc_raw)));
  }
  BatteryReading r;
  r.rsoc_raw = rsoc_raw;
  r.status_raw = status_raw;
  r.rsoc_pct = rsoc_raw / 10.0;
  // Bit 0 set means deny; the other bits are reserved (§8.3).
  r.permission = (status_raw & 1) ? BatteryPermission::kDeny : BatteryPermission::kPermit;
  return r;
}

tl::expected<std::unique_ptr<BatteryClient>, Error> BatteryClient::open(const BatteryLinkOptions& o) {
  if (o.rsoc_register < 30001 || o.status_register < 30001 || o.rsoc_register > 39999 ||
      o.status_register > 39999) {
    return tl::make_unexpected(Error::invalid_config(fmt::format(
        "battery: registers {} and {} must be input registers 30001…39999", o.rsoc_register, o.status_register)));
  }
  std::unique_ptr<BatteryClient> c{new BatteryClient(o)};
  c->ctx_ = modbus_new_rtu(o.device.c_str(), o.baud, 'N', 8, 1);
  if (c->ctx_ == nullptr) {
    return tl::make_unexpected(Error::invalid_config(
        fmt::format("battery {}: cannot use {} baud 8N1: {}", o.device, o.baud, modbus_strerror(errno))));
  }
  modbus_set_slave(c->ctx_, o.slave);
  const auto set = [&](auto setter, std::chrono::milliseconds t) {
    setter(c->ctx_, static_cast<std::uint32_t>(t.count() / 1000), static_cast<std::uint32_t>((t.count() % 1000) * 1000));
  };
  set(modbus_set_response_timeout, o.response_timeout);
  set(modbus_set_byte_timeout, o.byte_timeout);
  if (auto r = c->connect(); !r) return tl::make_unexpected(r.error());
  return c;
}

BatteryClient::~BatteryClient() {
  if (ctx_ == nullptr) return;
  if (connected_) modbus_close(ctx_);
  modbus_free(ctx_);
}

tl::expected<void, Error> BatteryClient::connect() {
  if (connected_) return {};
  if (modbus_connect(ctx_) != 0) {
    return tl::make_unexpected(
        Error::not_available(fmt::format("battery {}: {}", o_.device, modbus_strerror(errno))));
  }
  connected_ = true;
  return {};
}

tl::expected<BatteryReading, Error> BatteryClient::read() {
  auto r = read_once();
  // An exception reply is the battery's considered answer; anything else may pass on a resend.
  for (int i = 0; i < o_.retries && !r && r.error().code != ErrorCode::kRejected; ++i) {
    discard_input();
    r = read_once();
  }
  return r;
}

void BatteryClient::discard_input() {
  if (connected_) modbus_flush(ctx_);
}

tl::expected<std::uint16_t, Error> BatteryClient::read_registers(int address, int count, std::uint16_t* out) {
  if (auto c = connect(); !c) return tl::make_unexpected(c.error());
  const int n = modbus_read_input_registers(ctx_, address, count, out);
  if (n == count) return static_cast<std::uint16_t>(n);
  const int err = errno;
  const std::string where = fmt::format("battery {} slave {}: read {} input register(s) at 0x{:04x}",
                                        o_.device, o_.slave, count, address);
  if (n >= 0) return tl::make_unexpected(Error::bad_input(fmt::format("{}: got {}", where, n)));
  if (err == ETIMEDOUT) {
    return tl::make_unexpected(Error::timeout(
        fmt::format("{}: modbus io exception (no reply within {} ms)", where, o_.response_timeout.count())));
  }
  if (err == EBADF || err == EIO || err == ENXIO) {  // the port went away: reopen next time
    modbus_close(ctx_);
    connected_ = false;
  }
  const bool exception = is_modbus_exception(err);
  const ErrorCode code = exception ? ErrorCode::kRejected
                                   : (err > MODBUS_ENOBASE ? ErrorCode::kBadInput : ErrorCode::kNotAvailable);
  return tl::make_unexpected(Error{code, fmt::format("{}: {}", where, modbus_strerror(err))});
}

tl::expected<BatteryReading, Error> BatteryClient::read_once() {
  const int rsoc_at = o_.rsoc_register - 30001, status_at = o_.status_register - 30001;
  std::uint16_t regs[2] = {0, 0};
  if (status_at == rsoc_at + 1) {
    if (auto r = read_registers(rsoc_at, 2, regs); !r) return tl::make_unexpected(r.error());
  } else {
    if (auto r = read_registers(rsoc_at, 1, &regs[0]); !r) return tl::make_unexpected(r.error());
    if (auto r = read_registers(status_at, 1, &regs[1]); !r) return tl::make_unexpected(r.error());
  }
  return battery_reading(regs[0], regs[1]);
}

}  // namespace wattshare
