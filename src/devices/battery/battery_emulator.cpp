#include "devices/battery/battery_emulator.hpp"

#include <algorithm>
#include <cmath>

namespace wattshare {

void BatteryEmulator::inject(BatteryFault f) {
  std::lock_guard lock{mu_};
  fault_ = f;
}

void BatteryEmulator::set_denied(bool denied) {
  std::lock_guard lock{mu_};
  battery_.set_denied(denied);
}

std::uint64_t BatteryEmulator::requests() const {
  std::lock_guard lock{mu_};
  return requests_;
}

std::vector<std::uint8_t> BatteryEmulator::on_bytes(std::span<const std::uint8_t> in) {
  std::lock_guard lock{mu_};
  pending_.insert(pending_.end(), in.begin(), in.end());
  modbus::Bytes out;
  while (pending_.size() >= modbus::kReadRequestSize) {
    const auto request = modbus::parse_read_request(std::span{pending_}.first(modbus::kReadRequestSize));
    if (!request) {  // not a frame boundary: slide by one byte
      pending_.erase(pending_.begin());
      continue;
    }
    pending_.erase(pending_.begin(), pending_.begin() + modbus::kReadRequestSize);
    if (request->slave != slave_) continue;
    ++requests_;
    modbus::Bytes reply = answer(*request);
    if (fault_.kind != BatteryFault::kNone && fault_.count != 0) {
      if (fault_.count > 0) --fault_.count;
      if (fault_.kind == BatteryFault::kSilence) reply.clear();
      if (fault_.kind == BatteryFault::kBadCrc) reply.back() ^= 0xA5;
      if (fault_.kind == BatteryFault::kException) {
        reply = modbus::exception_reply(slave_, request->function, fault_.exception);
      }
    }
    out.insert(out.end(), reply.begin(), reply.end());
  }
  return out;
}

modbus::Bytes BatteryEmulator::answer(const modbus::ReadRequest& r) const {
  if (r.function != 0x04) return modbus::exception_reply(slave_, r.function, modbus::kIllegalFunction);
  if (r.count < 1 || r.count > 125 || r.address + r.count - 1 > 0x270E) {
    return modbus::exception_reply(slave_, r.function, modbus::kIllegalDataAddress);
  }
  std::vector<std::uint16_t> regs;
  for (std::uint16_t i = 0; i < r.count; ++i) regs.push_back(register_at(static_cast<std::uint16_t>(r.address + i)));
  return modbus::read_reply(slave_, r.function, regs);
}

std::uint16_t BatteryEmulator::register_at(std::uint16_t address) const {
  switch (address) {
    case 0x0000: return 0x3031;  // "protocol version" words the original's diagnostic expects
    case 0x0001:
    case 0x0002: return 0x3030;
    case 0x0009: return 0x4845;  // "HE", the vendor name word
    case 0x001D: return static_cast<std::uint16_t>(std::lround(std::clamp(battery_.rsoc_pct(), 0.0, 100.0) * 10));
    case 0x001E: return battery_.permission() == BatteryPermission::kDeny ? 1 : 0;
    default: return 0;
  }
}

}  // namespace wattshare
