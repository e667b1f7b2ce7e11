// The running AsioScheduler's time acceleration, as the HTTP handlers change it
// (apis-emulator's /set/acc/<n>, the dashboard's POST /api/acceleration).
#pragma once

#include <functional>

#include <fmt/format.h>

#include "devices/apis_http/driver_server.hpp"
#include "net/asio_scheduler.hpp"

namespace wattshare::app {

class SchedulerAcceleration final : public AccelerationControl {
 public:
  // `changed` hears of every accepted change (what depends on real time follows it).
  explicit SchedulerAcceleration(AsioScheduler& s, std::function<void(double)> changed = {})
      : s_(s), changed_(std::move(changed)) {}
  double acceleration() const override { return s_.acceleration(); }
  tl::expected<void, Error> set_acceleration(double f) override {
    auto r = s_.set_acceleration(f);
    if (r && changed_) changed_(f);
    return r;
  }

 private:
  AsioScheduler& s_;
  std::function<void(double)> changed_;
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
