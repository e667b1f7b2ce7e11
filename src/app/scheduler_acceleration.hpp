// The running AsioScheduler's time acceleration, as the HTTP handlers change it
// (apis-emulator's /set/acc/<n>, the dashboard's POST /api/acceleration).
#pragma once

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

}  // namespace wattshare::app
