// The device interface of one unit's DC/DC converter and battery, as APIS drives it: read the
// whole unit, or set mode and set-points. Implemented by the emulated community
// (devices/emulated) and later by real drivers (APIS driver protocol, EZA2500 serial).
// A driver owns its connection: copying one does not compile.
//   auto d = dcdc.read(); if (!d) handle(d.error());
#pragma once

#include <tl/expected.hpp>

#include "core/error.hpp"
#include "devices/unit_data.hpp"

namespace wattshare {

class Dcdc {
 public:
  Dcdc() = default;
  Dcdc(const Dcdc&) = delete;
  Dcdc& operator=(const Dcdc&) = delete;
  virtual ~Dcdc() = default;

  [[nodiscard]] virtual tl::expected<UnitData, Error> read() = 0;
  // Applies the given fields (omitted ones keep their value) and returns the new state.
  // A refused command (bad_input, rejected) leaves the device unchanged.
  [[nodiscard]] virtual tl::expected<UnitData, Error> set(const DcdcCommand& command) = 0;
};

}  // namespace wattshare
