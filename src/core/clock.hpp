// The one clock of wattshare, injected everywhere: logic asks `now()` of the Scheduler it was
// given and registers timers on it; it never reads a system clock. SimScheduler (virtual time)
// and AsioScheduler (net/, accelerated real time) implement it.
//   sched.every(seconds(5), [&] { controller.acquire(sched.now()); });
#pragma once

#include <cstdint>
#include <functional>

#include "core/time.hpp"

namespace wattshare {

class Clock {
 public:
  virtual ~Clock() = default;
  [[nodiscard]] virtual TimePoint now() const = 0;
};

using TimerId = std::uint64_t;
inline constexpr TimerId kNoTimer = 0;

class Scheduler : public Clock {
 public:
  using Task = std::function<void()>;

  // Runs `task` once at `when` (immediately-next if `when` is in the past).
  virtual TimerId at(TimePoint when, Task task) = 0;
  // Runs `task` every `period`, first at `first`.
  virtual TimerId every(Duration period, Task task, TimePoint first) = 0;
  // Cancelling an unknown or finished timer is a no-op.
  virtual void cancel(TimerId id) = 0;

  TimerId after(Duration delay, Task task) { return at(now() + delay, std::move(task)); }
  TimerId every(Duration period, Task task) {
    return every(period, std::move(task), now() + period);
  }
};

}  // namespace wattshare
