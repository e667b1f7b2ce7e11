// The APIS battery's Modbus RTU side, for tests and demos (`wattshare battery-sim`): input
// registers 30030 (RSOC, 0.1 %) and 30031 (bit 0: deny) read from the physics battery, the
// diagnostic words at 30001–30003 and 30010, exception replies for a wrong function (01) or a
// range outside 0x0000–0x270E (02). Frames with a bad CRC or for another slave are ignored, as
// on a shared bus. Faults for the next N replies: silence, a corrupted CRC, an exception code.
//   BatteryEmulator bms{battery, 1};  bms.inject({BatteryFault::kException, 4, 1});
#pragma once

#include <mutex>

#include "devices/battery/modbus_rtu.hpp"
#include "devices/serial/device_responder.hpp"
#include "physics/battery.hpp"

namespace wattshare {

struct BatteryFault {
  enum Kind { kNone, kSilence, kBadCrc, kException } kind = kNone;
  std::uint8_t exception = modbus::kServerDeviceFailure;
  int count = 1;  // replies affected; -1: until cleared
};

class BatteryEmulator final : public DeviceResponder {
 public:
  BatteryEmulator(Battery& battery, std::uint8_t slave) : battery_(battery), slave_(slave) {}

  std::vector<std::uint8_t> on_bytes(std::span<const std::uint8_t> in) override;
  void inject(BatteryFault f);
  void set_denied(bool denied);
  [[nodiscard]] std::uint64_t requests() const;

 private:
  modbus::Bytes answer(const modbus::ReadRequest& r) const;
  std::uint16_t register_at(std::uint16_t address) const;

  mutable std::mutex mu_;
  Battery& battery_;
  std::uint8_t slave_;
  modbus::Bytes pending_;
  BatteryFault fault_;
  std::uint64_t requests_ = 0;
};

}  // namespace wattshare
