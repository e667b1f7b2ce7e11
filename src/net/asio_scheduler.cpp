#include "net/asio_scheduler.hpp"

#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

namespace wattshare {

struct AsioScheduler::Impl {
  struct Timer {
    explicit Timer(boost::asio::io_context& io) : timer(io) {}
    boost::asio::steady_timer timer;
    TimePoint due;
    Duration period{0};
    Task task;
    std::uint64_t generation = 0;
  };

  boost::asio::io_context& io;
  TimePoint virtual_anchor;
  std::chrono::steady_clock::time_point real_anchor;
  double acceleration;
  TimerId next_id = 1;
  std::unordered_map<TimerId, std::shared_ptr<Timer>> timers;

  Impl(boost::asio::io_context& i, TimePoint start, double acc)
      : io(i), virtual_anchor(start), real_anchor(std::chrono::steady_clock::now()),
        acceleration(acc) {}

  TimePoint now() const {
    const auto real = std::chrono::steady_clock::now() - real_anchor;
    const double virtual_ms =
        std::chrono::duration<double, std::milli>(real).count() * acceleration;
    return virtual_anchor + Duration{static_cast<std::int64_t>(virtual_ms)};
  }

  std::chrono::steady_clock::time_point real_deadline(TimePoint due) const {
    const double real_ms = static_cast<double>((due - virtual_anchor).count()) / acceleration;
    return real_anchor + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                             std::chrono::duration<double, std::milli>(real_ms));
  }

  void arm(TimerId id, const std::shared_ptr<Timer>& t) {
    const std::uint64_t generation = ++t->generation;
    t->timer.expires_at(real_deadline(t->due));
    t->timer.async_wait([this, id, generation](const boost::system::error_code& ec) {
      if (ec) return;
      auto it = timers.find(id);
      if (it == timers.end() || it->second->generation != generation) return;
      std::shared_ptr<Timer> keep = it->second;  // the task may cancel itself
      if (keep->period > Duration::zero()) {
        keep->due += keep->period;
        arm(id, keep);
        keep->task();
      } else {
        timers.erase(it);
        keep->task();
      }
    });
  }

  TimerId add(TimePoint due, Duration period, Task task) {
    auto t = std::make_shared<Timer>(io);
    t->due = due;
    t->period = period;
    t->task = std::move(task);
    const TimerId id = next_id++;
    timers.emplace(id, t);
    arm(id, t);
    return id;
  }
};

AsioScheduler::AsioScheduler(boost::asio::io_context& io, TimePoint start, double acceleration)
    : impl_(std::make_unique<Impl>(io, start, acceleration > 0 ? acceleration : 1.0)) {}

AsioScheduler::~AsioScheduler() {
  // Timers that never ran are dropped while the scheduler is whole: dropping a sleeping
  // coroutine's wake-up unwinds it (core/task.hpp), which may add or cancel timers meanwhile.
  while (!impl_->timers.empty()) {
    const auto dropped = std::move(impl_->timers);
    impl_->timers.clear();
    for (const auto& [id, t] : dropped) t->timer.cancel();
  }
}

TimePoint AsioScheduler::now() const { return impl_->now(); }

TimerId AsioScheduler::at(TimePoint when, Task task) {
  return impl_->add(when, Duration::zero(), std::move(task));
}

TimerId AsioScheduler::every(Duration period, Task task, TimePoint first) {
  return impl_->add(first, period, std::move(task));
}

void AsioScheduler::cancel(TimerId id) {
  auto it = impl_->timers.find(id);
  if (it == impl_->timers.end()) return;
  it->second->timer.cancel();
  impl_->timers.erase(it);
}

double AsioScheduler::acceleration() const { return impl_->acceleration; }

tl::expected<void, Error> AsioScheduler::set_acceleration(double factor) {
  if (!(factor > 0 && factor <= 1e6))
    return tl::unexpected(Error::bad_input(
        fmt::format("acceleration {} is outside (0, 1000000]", factor)));
  // Re-anchor at the present instant so virtual time stays continuous.
  impl_->virtual_anchor = impl_->now();
  impl_->real_anchor = std::chrono::steady_clock::now();
  impl_->acceleration = factor;
  for (auto& [id, t] : impl_->timers) impl_->arm(id, t);
  return {};
}

boost::asio::io_context& AsioScheduler::io() { return impl_->io; }

}  // namespace wattshare
