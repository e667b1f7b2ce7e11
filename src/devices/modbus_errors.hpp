// How a libmodbus call failed, from its errno: an exception reply (the device's considered
// answer, 01 illegal function … 0B gateway target), a bad frame, or the link itself.
#pragma once

#include <modbus.h>

namespace wattshare {

inline bool is_modbus_exception(int err) {
  return err > MODBUS_ENOBASE && err <= MODBUS_ENOBASE + MODBUS_EXCEPTION_GATEWAY_TARGET;
}

}  // namespace wattshare
