// One unit of an emulated community behind the Dcdc device interface. Before each call it
// brings the physics up to the clock's now, so the engine sees the emulated hardware exactly as
// it would a real driver, in virtual or real time.
//   EmulatedDcdc dcdc{community, 0, scheduler};
#pragma once

#include "core/clock.hpp"
#include "devices/dcdc.hpp"
#include "devices/emulated/community.hpp"

namespace wattshare {

class EmulatedDcdc final : public Dcdc {
 public:
  EmulatedDcdc(Community& community, std::size_t unit, const Clock& clock)
      : community_(community), unit_(unit), clock_(clock) {}

  tl::expected<UnitData, Error> read() override {
    community_.advance_to(clock_.now());
    community_.touch(unit_);
    return community_.unit_data(unit_);
  }
  tl::expected<UnitData, Error> set(const DcdcCommand& command) override {
    community_.advance_to(clock_.now());
    community_.touch(unit_);
    return community_.set_dcdc(unit_, command);
  }

 private:
  Community& community_;
  std::size_t unit_;
  const Clock& clock_;
};

}  // namespace wattshare
