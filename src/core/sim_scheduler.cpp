#include "core/sim_scheduler.hpp"

#include <algorithm>
#include <cassert>

namespace wattshare {
namespace {

// A TimerId packs the slot (low 32 bits) and its generation (high 32 bits), so an id of a
// finished timer never cancels the slot's next occupant.
TimerId make_id(std::uint32_t slot, std::uint32_t generation) {
  return (static_cast<TimerId>(generation) << 32) | (static_cast<TimerId>(slot) + 1);
}

}  // namespace

std::uint32_t SimScheduler::allocate_slot(Task task, Duration period) {
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& s = slots_[slot];
  s.task = std::move(task);
  s.period = period;
  s.active = true;
  ++s.generation;
  return slot;
}

void SimScheduler::push(TimePoint when, std::uint32_t slot) {
  heap_.push_back(Entry{std::max(when, now_), seq_++, slot, slots_[slot].generation});
  std::push_heap(heap_.begin(), heap_.end(), later);
}

TimerId SimScheduler::at(TimePoint when, Task task) {
  const std::uint32_t slot = allocate_slot(std::move(task), Duration::zero());
  push(when, slot);
  return make_id(slot, slots_[slot].generation);
}

TimerId SimScheduler::every(Duration period, Task task, TimePoint first) {
  assert(period > Duration::zero());
  const std::uint32_t slot = allocate_slot(std::move(task), period);
  push(first, slot);
  return make_id(slot, slots_[slot].generation);
}

void SimScheduler::cancel(TimerId id) {
  if (id == kNoTimer) return;
  const auto slot = static_cast<std::uint32_t>((id & 0xffffffffu) - 1);
  const auto generation = static_cast<std::uint32_t>(id >> 32);
  if (slot >= slots_.size()) return;
  Slot& s = slots_[slot];
  if (!s.active || s.generation != generation) return;
  s.active = false;
  if (slot != running_slot_) s.task = nullptr;
  // The heap entry stays and is dropped when it surfaces; the slot is reused only then.
}

TimePoint SimScheduler::next_due() const {
  return heap_.empty() ? TimePoint::max() : heap_.front().when;
}

void SimScheduler::run_one(const Entry& e) {
  Slot& s = slots_[e.slot];
  if (!s.active || s.generation != e.generation) {
    if (s.generation == e.generation) free_slots_.push_back(e.slot);
    return;
  }
  now_ = e.when;
  ++tasks_run_;
  if (s.period > Duration::zero()) {
    // Re-arm before running, so the task may cancel itself.
    push(e.when + s.period, e.slot);
    running_slot_ = e.slot;
    s.task();
    running_slot_ = UINT32_MAX;
    if (!s.active) s.task = nullptr;
  } else {
    Task task = std::move(s.task);
    s.active = false;
    s.task = nullptr;
    free_slots_.push_back(e.slot);
    task();
  }
}

bool SimScheduler::step() {
  if (heap_.empty()) return false;
  const TimePoint due = heap_.front().when;
  while (!heap_.empty() && heap_.front().when == due) {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    const Entry e = heap_.back();
    heap_.pop_back();
    run_one(e);
  }
  return true;
}

void SimScheduler::run_until(TimePoint end) {
  stop_requested_ = false;
  while (!heap_.empty() && heap_.front().when <= end && !stop_requested_) {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    const Entry e = heap_.back();
    heap_.pop_back();
    run_one(e);
  }
  if (!stop_requested_ && end > now_) now_ = end;
}

}  // namespace wattshare
