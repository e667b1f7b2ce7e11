// The running AsioScheduler's time acceleration, as the HTTP handlers change it
// (apis-emulator's /set/acc/<n>, the dashboard's POST /api/acceleration).
#pragma once

#include <fmt/format.h>

#include "devices/apis_http/driver_server.hpp"
#include "net/asio_scheduler.hpp"

namespace wattshare::app {

class SchedulerAcceleration final : public AccelerationControl {
 public:
  explicit SchedulerAcceleration(AsioScheduler& s) : s_(s) {}
  double acceleration() const override { return s_.acceleration(); }
  tl::expected<void, Error> set_acceleration(double f) override { return s_.set_acceleration(f); }

 private:
  AsioScheduler& s_;
};

// The acceleration of a clock that other processes share (`demo --processes`: every node was
// started with it): read-only.
class FixedAcceleration final : public AccelerationControl {
 public:
  explicit FixedAcceleration(AsioScheduler& s) : s_(s) {}
  double acceleration() const override { return s_.acceleration(); }
  tl::expected<void, Error> set_acceleration(double) override {
    return tl::unexpected(Error::rejected(fmt::format(
        "the node processes run at {}x, which they were started with: restart with --acceleration to change it",
        s_.acceleration())));
  }

 private:
  AsioScheduler& s_;
};

}  // namespace wattshare::app
