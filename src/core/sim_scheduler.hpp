// Discrete-event scheduler in virtual time. Time moves only inside run_until()/run_for(), jumping
// from one due timer to the next; timers due at the same instant run in the order they were
// scheduled, so a run with the same inputs replays exactly. Periodic timers with the same period
// and the same next due time share one queue entry (a thousand units' 5-second acquisitions
// cost one heap operation per period, not a thousand); they run in the order they were added.
//   SimScheduler s{from_civil(2020, 1, 1)};
//   s.every(seconds(5), tick);
//   s.run_for(hours(24));
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <vector>

#include "core/clock.hpp"

namespace wattshare {

class SimScheduler final : public Scheduler {
 public:
  explicit SimScheduler(TimePoint start) : now_(start) {}
  // Drops the timers that never ran one by one, while the scheduler is still whole: dropping a
  // sleeping coroutine's wake-up unwinds it (core/task.hpp), which may add or cancel timers.
  ~SimScheduler() override;
  SimScheduler(const SimScheduler&) = delete;
  SimScheduler& operator=(const SimScheduler&) = delete;

  [[nodiscard]] TimePoint now() const override { return now_; }
  TimerId at(TimePoint when, Task task) override;
  TimerId every(Duration period, Task task, TimePoint first) override;
  using Scheduler::every;
  void cancel(TimerId id) override;

  // Runs every timer due at or before `end`, then leaves now() == end.
  void run_until(TimePoint end);
  void run_for(Duration d) { run_until(now_ + d); }
  // Runs the timers of the next due instant only; false when nothing is scheduled.
  bool step();
  // Stops run_until() after the current task (e.g. from a signal or a test condition).
  void request_stop() { stop_requested_ = true; }

  [[nodiscard]] std::size_t pending() const { return heap_.size(); }
  [[nodiscard]] std::uint64_t tasks_run() const { return tasks_run_; }
  [[nodiscard]] TimePoint next_due() const;

 private:
  struct Entry {
    TimePoint when;
    std::uint64_t seq;  // tie-breaker: FIFO among equal times
    std::uint32_t slot;
    std::uint32_t generation;
  };
  static constexpr std::uint32_t kNone = UINT32_MAX;
  struct Slot {
    Task task;
    Duration period{0};
    std::uint32_t generation = 0;
    bool active = false;
    std::vector<std::uint32_t> members;  // a group slot: the periodic slots it runs
    bool group = false;
  };
  static bool later(const Entry& a, const Entry& b) {
    return a.when != b.when ? a.when > b.when : a.seq > b.seq;
  }
  std::uint32_t allocate_slot(Task task, Duration period);
  void push(TimePoint when, std::uint32_t slot);
  void run_one(const Entry& e);
  void run_group(const Entry& e);
  std::uint32_t new_slot();

  TimePoint now_;
  std::uint64_t seq_ = 0;
  std::uint64_t tasks_run_ = 0;
  bool stop_requested_ = false;
  std::vector<Entry> heap_;
  std::deque<Slot> slots_;  // a deque: a running task may add timers without moving itself
  std::uint32_t running_slot_ = UINT32_MAX;
  std::vector<std::uint32_t> free_slots_;
  // (period ms, next due ms) -> group slot
  std::map<std::pair<std::int64_t, std::int64_t>, std::uint32_t> groups_;
};

}  // namespace wattshare
