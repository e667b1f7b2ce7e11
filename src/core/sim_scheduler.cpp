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

SimScheduler::~SimScheduler() {
  for (bool dropped = true; dropped;) {
    dropped = false;
    for (std::size_t i = 0; i < slots_.size(); ++i) {  // indexed: slots_ may grow meanwhile
      if (!slots_[i].task) continue;
      const Task task = std::move(slots_[i].task);
      slots_[i].task = nullptr;
      slots_[i].active = false;
      dropped = true;
    }
  }
}

std::uint32_t SimScheduler::new_slot() {
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  return slot;
}

std::uint32_t SimScheduler::allocate_slot(Task task, Duration period) {
  const std::uint32_t slot = new_slot();
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
  first = std::max(first, now_);
  const std::uint32_t slot = allocate_slot(std::move(task), period);
  const auto key = std::make_pair(period.count(), first.time_since_epoch().count());
  auto it = groups_.find(key);
  if (it == groups_.end()) {
    const std::uint32_t g = new_slot();
    Slot& group = slots_[g];
    group.group = true;
    group.active = true;
    group.period = period;
    ++group.generation;
    group.members.clear();
    it = groups_.emplace(key, g).first;
    push(first, g);
  }
  slots_[it->second].members.push_back(slot);
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

void SimScheduler::run_group(const Entry& e) {
  Slot& g = slots_[e.slot];
  now_ = e.when;
  const auto period = g.period;
  groups_.erase(std::make_pair(period.count(), e.when.time_since_epoch().count()));
  // Members run in the order they joined; one cancelled meanwhile is dropped. Members may add
  // timers (and groups): index, do not iterate, since slots_ may grow.
  std::size_t kept = 0;
  for (std::size_t i = 0; i < slots_[e.slot].members.size(); ++i) {
    const std::uint32_t m = slots_[e.slot].members[i];
    Slot& s = slots_[m];
    if (!s.active) {
      free_slots_.push_back(m);
      continue;
    }
    slots_[e.slot].members[kept++] = m;
    ++tasks_run_;
    running_slot_ = m;
    s.task();
    running_slot_ = UINT32_MAX;
    if (!s.active) s.task = nullptr;
  }
  Slot& group = slots_[e.slot];
  group.members.resize(kept);
  if (kept == 0) {
    group.active = false;
    group.group = false;
    free_slots_.push_back(e.slot);
    return;
  }
  const TimePoint next = e.when + period;
  const auto key = std::make_pair(period.count(), next.time_since_epoch().count());
  auto existing = groups_.find(key);
  if (existing != groups_.end()) {
    // Another group became due at the same instant: merge into it, keeping this one's members first.
    auto& other = slots_[existing->second].members;
    other.insert(other.begin(), group.members.begin(), group.members.end());
    group.members.clear();
    group.active = false;
    group.group = false;
    free_slots_.push_back(e.slot);
    return;
  }
  groups_.emplace(key, e.slot);
  push(next, e.slot);
}

void SimScheduler::run_one(const Entry& e) {
  Slot& s = slots_[e.slot];
  if (s.group) {
    if (s.generation == e.generation) run_group(e);
    return;
  }
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
