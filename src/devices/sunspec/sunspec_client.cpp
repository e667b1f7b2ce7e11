#include "devices/sunspec/sunspec_client.hpp"

#include "devices/modbus_errors.hpp"

#include <modbus.h>

#include <cerrno>

#include <fmt/format.h>

namespace wattshare::sunspec {

SunSpecClient::SunSpecClient(SunSpecOptions o) : o_(std::move(o)) {}

SunSpecClient::~SunSpecClient() {
  if (ctx_ == nullptr) return;
  if (connected_) modbus_close(ctx_);
  modbus_free(ctx_);
}

void SunSpecClient::fail() {
  if (connected_) modbus_close(ctx_);
  connected_ = false;
  next_attempt_ = std::chrono::steady_clock::now() + backoff_;
  backoff_ = std::min(backoff_ * 2, std::chrono::seconds(30));
}

tl::expected<void, Error> SunSpecClient::connect() {
  if (connected_) return {};
  const auto now = std::chrono::steady_clock::now();
  if (now < next_attempt_) {
    return tl::make_unexpected(Error::not_available(fmt::format(
        "SunSpec {}:{}: waiting {} ms before reconnecting", o_.host, o_.port,
        std::chrono::duration_cast<std::chrono::milliseconds>(next_attempt_ - now).count())));
  }
  if (ctx_ == nullptr) {
    ctx_ = modbus_new_tcp(o_.host.c_str(), o_.port);
    if (ctx_ == nullptr) {
      return tl::make_unexpected(Error::invalid_config(fmt::format("SunSpec {}:{}: {}", o_.host, o_.port, modbus_strerror(errno))));
    }
    const auto ms = o_.timeout.count();
    modbus_set_response_timeout(ctx_, static_cast<std::uint32_t>(ms / 1000), static_cast<std::uint32_t>((ms % 1000) * 1000));
  }
  modbus_set_slave(ctx_, o_.unit_id);
  if (modbus_connect(ctx_) != 0) {
    const std::string why = modbus_strerror(errno);
    fail();
    return tl::make_unexpected(Error::not_available(fmt::format("SunSpec {}:{}: cannot connect: {}", o_.host, o_.port, why)));
  }
  connected_ = true;
  return {};
}

tl::expected<std::vector<std::uint16_t>, Error> SunSpecClient::registers(std::uint32_t address, int count) {
  std::vector<std::uint16_t> out(static_cast<std::size_t>(count));
  int done = 0;
  while (done < count) {
    const int n = std::min(125, count - done);  // the protocol's limit per request
    if (modbus_read_registers(ctx_, static_cast<int>(address) + done, n, out.data() + done) != n) {
      const int err = errno;
      const std::string what = fmt::format("SunSpec {}:{} unit {}: read {} registers at {}: {}", o_.host, o_.port,
                                           o_.unit_id, n, address + static_cast<std::uint32_t>(done), modbus_strerror(err));
      // An exception is the device's answer; anything else may be a dead link.
      if (!is_modbus_exception(err)) fail();
      return tl::make_unexpected(Error{err == ETIMEDOUT ? ErrorCode::kTimeout : ErrorCode::kBadInput, what});
    }
    done += n;
  }
  return out;
}

tl::expected<std::vector<std::uint16_t>, Error> SunSpecClient::read_registers(std::uint32_t address, int count) {
  if (auto c = connect(); !c) return tl::make_unexpected(c.error());
  return registers(address, count);
}

tl::expected<SiteReading, Error> SunSpecClient::read() {
  if (auto c = connect(); !c) return tl::make_unexpected(c.error());
  if (!base_) {  // find the "SunS" marker
    std::string tried;
    for (const std::uint32_t b : o_.bases) {
      auto m = registers(b, 2);
      if (m && (*m)[0] == kMarkerHi && (*m)[1] == kMarkerLo) {
        base_ = b;
        break;
      }
      tried += fmt::format("{}{}: {}", tried.empty() ? "" : "; ", b,
                           m ? fmt::format("{:04x} {:04x}", (*m)[0], (*m)[1]) : m.error().message);
      if (!connected_) return tl::make_unexpected(m.error());
    }
    if (!base_) return tl::make_unexpected(Error::bad_input(fmt::format("SunSpec {}:{}: no \"SunS\" marker ({})", o_.host, o_.port, tried)));
  }
  // Read the chain block by block until the end marker, never past it (the map may end there).
  std::vector<std::uint16_t> regs;
  auto ensure = [&](std::size_t n) -> tl::expected<void, Error> {
    if (regs.size() >= n) return {};
    auto more = registers(*base_ + static_cast<std::uint32_t>(regs.size()), static_cast<int>(n - regs.size()));
    if (!more) return tl::make_unexpected(more.error());
    regs.insert(regs.end(), more->begin(), more->end());
    return {};
  };
  std::size_t at = 2;
  for (int guard = 0; guard < 32; ++guard) {
    if (auto e = ensure(at + 1); !e) return tl::make_unexpected(e.error());
    if (regs[at] == kEndOfChain) break;
    if (auto e = ensure(at + 2); !e) return tl::make_unexpected(e.error());
    if (regs[at + 1] > 500) {
      return tl::make_unexpected(Error::bad_input(fmt::format("SunSpec {}:{}: model {} at {} claims {} registers",
                                                              o_.host, o_.port, regs[at], *base_ + at, regs[at + 1])));
    }
    at += 2 + regs[at + 1];
    if (auto e = ensure(at); !e) return tl::make_unexpected(e.error());  // the model's registers
  }
  auto map = parse_sunspec(regs, *base_);
  if (!map) {
    base_.reset();
    return tl::make_unexpected(map.error());
  }
  backoff_ = std::chrono::seconds(1);
  SiteReading r;
  r.map = *map;
  r.inverter_power_w = map->inverter_power_w;
  for (const auto& w : map->meter_powers_w) {
    r.meter_powers_w.push_back(w ? std::optional<double>(o_.invert_meter ? -*w : *w) : std::nullopt);
  }
  if (o_.meter < 1 || static_cast<std::size_t>(o_.meter) > r.meter_powers_w.size()) {
    return tl::make_unexpected(Error::bad_input(fmt::format("SunSpec {}:{}: no meter {} in the map (it has {})", o_.host,
                                                            o_.port, o_.meter, r.meter_powers_w.size())));
  }
  r.meter_power_w = r.meter_powers_w[static_cast<std::size_t>(o_.meter - 1)];
  if (r.inverter_power_w && r.meter_power_w) r.house_power_w = *r.inverter_power_w - *r.meter_power_w;
  return r;
}

}  // namespace wattshare::sunspec
