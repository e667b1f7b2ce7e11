// The Scheduler for real operation: timers on an Asio io_context, in accelerated real time.
// Virtual now = start + (steady elapsed) x acceleration; acceleration can change while running
// (pending timers are re-armed), so an emulator or the dashboard runs a day in minutes.
// Single-threaded: timers and every handler run on the io_context's thread.
//   boost::asio::io_context io;
//   AsioScheduler s{io, from_civil(2020, 1, 1), 60.0};
//   s.every(seconds(5), tick);  io.run();
#pragma once

#include <memory>

#include <tl/expected.hpp>

#include "core/clock.hpp"
#include "core/error.hpp"

namespace boost::asio {
class io_context;
}

namespace wattshare {

class AsioScheduler final : public Scheduler {
 public:
  AsioScheduler(boost::asio::io_context& io, TimePoint start, double acceleration);
  ~AsioScheduler() override;

  [[nodiscard]] TimePoint now() const override;
  TimerId at(TimePoint when, Task task) override;
  TimerId every(Duration period, Task task, TimePoint first) override;
  using Scheduler::every;
  void cancel(TimerId id) override;

  [[nodiscard]] double acceleration() const;
  // 0 < factor <= 1e6.
  [[nodiscard]] tl::expected<void, Error> set_acceleration(double factor);
  [[nodiscard]] boost::asio::io_context& io();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wattshare
