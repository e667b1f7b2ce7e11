// Sequential procedures that wait in (virtual) time: a lazily started coroutine Task<T>, a
// `co_await sleep_for(scheduler, d)` that resumes from the Scheduler, and spawn() to run a task
// detached. APIS's grid master and controller procedures (checkpoint polls, current stepping,
// negotiation windows) read as straight code and stay deterministic under SimScheduler.
//
// Ending: every frame is freed by unwinding, never left suspended. A Lifetime belongs to an
// owner (a unit, a grid master); when the owner ends it (`end()`), every procedure spawned with
// it and every sleep taken under it is woken at once and throws Cancelled, which unwinds the
// frames (their local guards still see their owner alive) up to spawn(). A sleep whose
// scheduler drops it unrun (the scheduler is destroyed) unwinds the same way.
// g++ 12 destroys a temporary twice when it is built by a conditional expression inside a
// co_await (a double free, caught under ASan): name such arguments first.
//   std::string why = low ? ... : ...;  co_await abort(d, std::move(why));
//   Task<int> f(Scheduler& s) { co_await sleep_for(s, seconds(1)); co_return 42; }
//   spawn(f(s), [](int v) { ... }, {}, life);   ...   life->end();
#pragma once

#include <coroutine>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/clock.hpp"

namespace wattshare {

struct Cancelled : std::exception {
  const char* what() const noexcept override { return "cancelled"; }
};

template <typename T>
class Task;

namespace internal {

// Resumes one sleeping coroutine exactly once: from its timer, or cancelled (it then throws
// Cancelled) when its lifetime ends or its timer is dropped without running.
class Wake {
 public:
  Wake(std::coroutine_handle<> h, bool* cancelled) : h_(h), cancelled_(cancelled) {}
  Wake(const Wake&) = delete;
  Wake& operator=(const Wake&) = delete;
  ~Wake() { cancel(); }
  void operator()() {
    if (h_) std::exchange(h_, {}).resume();
  }
  void cancel() {
    if (!h_) return;
    *cancelled_ = true;
    std::exchange(h_, {}).resume();
  }

 private:
  std::coroutine_handle<> h_;
  bool* cancelled_;
};

// The frames one spawn() runs, awaiting each other: where the innermost one sleeps now.
struct Chain {
  std::weak_ptr<Wake> sleeping;
};

}  // namespace internal

// What an owner's procedures share: alive until the owner ends it.
class LifetimeState {
 public:
  [[nodiscard]] bool alive() const { return alive_; }
  // Ends it: every procedure spawned with it, and every sleep taken under it (also inside
  // another owner's procedure), unwinds now, while the owner is still whole.
  void end() {
    if (!alive_) return;
    alive_ = false;
    auto chains = std::move(chains_.items);
    auto sleepers = std::move(sleepers_.items);
    for (auto& c : chains) {
      if (auto chain = c.lock()) {
        if (auto w = chain->sleeping.lock()) w->cancel();
      }
    }
    for (auto& s : sleepers) {
      if (auto w = s.lock()) w->cancel();
    }
  }
  void add(const std::shared_ptr<internal::Chain>& c) { chains_.add(c); }
  void add(const std::shared_ptr<internal::Wake>& w) { sleepers_.add(w); }

 private:
  // Weak references that drop what has ended whenever the list has doubled since: amortised
  // O(1) per add, and never more than twice what is alive.
  template <typename T>
  struct Registry {
    std::vector<std::weak_ptr<T>> items;
    std::size_t live_after_prune = 0;
    void add(const std::shared_ptr<T>& item) {
      if (items.size() >= 2 * live_after_prune + 16) {
        std::erase_if(items, [](const auto& w) { return w.expired(); });
        live_after_prune = items.size();
      }
      items.push_back(item);
    }
  };

  bool alive_ = true;
  Registry<internal::Chain> chains_;
  Registry<internal::Wake> sleepers_;
};
using Lifetime = std::shared_ptr<LifetimeState>;
inline Lifetime make_lifetime() { return std::make_shared<LifetimeState>(); }
// A null lifetime never ends.
inline bool alive(const Lifetime& life) { return !life || life->alive(); }

namespace internal {

struct PromiseBase {
  std::coroutine_handle<> continuation;
  std::exception_ptr error;
  std::shared_ptr<Chain> chain;  // the spawn() this frame runs under (inherited when awaited)
  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <typename P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      if (auto c = h.promise().continuation) return c;
      return std::noop_coroutine();
    }
    void await_resume() noexcept {}
  };
  std::suspend_always initial_suspend() noexcept { return {}; }
  FinalAwaiter final_suspend() noexcept { return {}; }
  void unhandled_exception() { error = std::current_exception(); }
};

template <typename T>
struct Promise : PromiseBase {
  std::optional<T> value;
  Task<T> get_return_object();
  template <typename U>
  void return_value(U&& v) { value.emplace(std::forward<U>(v)); }
};

template <>
struct Promise<void> : PromiseBase {
  Task<void> get_return_object();
  void return_void() {}
};

}  // namespace internal

template <typename T = void>
class [[nodiscard]] Task {
 public:
  using promise_type = internal::Promise<T>;
  using Handle = std::coroutine_handle<promise_type>;

  explicit Task(Handle h) : h_(h) {}
  Task(Task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  Task& operator=(Task&& o) noexcept {
    if (this != &o) {
      if (h_) h_.destroy();
      h_ = std::exchange(o.h_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  ~Task() {
    if (h_) h_.destroy();
  }

  // Awaiting a task runs it to completion and yields its value (or rethrows).
  bool await_ready() const noexcept { return false; }
  template <typename P>
  std::coroutine_handle<> await_suspend(std::coroutine_handle<P> caller) noexcept {
    if constexpr (std::is_base_of_v<internal::PromiseBase, P>) h_.promise().chain = caller.promise().chain;
    h_.promise().continuation = caller;
    return h_;
  }
  T await_resume() {
    if (h_.promise().error) std::rethrow_exception(h_.promise().error);
    if constexpr (!std::is_void_v<T>) return std::move(*h_.promise().value);
  }

  Handle release() { return std::exchange(h_, {}); }
  // The chain of a task about to be spawned.
  void run_in(std::shared_ptr<internal::Chain> chain) { h_.promise().chain = std::move(chain); }

 private:
  Handle h_;
};

namespace internal {
template <typename T>
Task<T> Promise<T>::get_return_object() {
  return Task<T>{std::coroutine_handle<Promise<T>>::from_promise(*this)};
}
inline Task<void> Promise<void>::get_return_object() {
  return Task<void>{std::coroutine_handle<Promise<void>>::from_promise(*this)};
}

// The detached root that owns a spawned task and reports its outcome.
struct Detached {
  struct promise_type {
    Detached get_return_object() { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() { std::terminate(); }
  };
};
}  // namespace internal

// Runs `task` now until its first wait; `done` gets the value when it finishes. A Cancelled
// task ends quietly (`done` is not called); any other exception reaches `failed`, if given.
// With a `life`, ending it unwinds the task wherever it sleeps.
template <typename T, typename Done>
void spawn(Task<T> task, Done done, std::function<void(std::exception_ptr)> failed = {}, const Lifetime& life = {}) {
  auto chain = std::make_shared<internal::Chain>();
  if (life) life->add(chain);
  task.run_in(std::move(chain));
  [](Task<T> t, Done d, std::function<void(std::exception_ptr)> f) -> internal::Detached {
    try {
      if constexpr (std::is_void_v<T>) {
        co_await t;
        d();
      } else {
        d(co_await t);
      }
    } catch (const Cancelled&) {
    } catch (...) {
      if (f) f(std::current_exception());
      else throw;
    }
  }(std::move(task), std::move(done), std::move(failed));
}

template <typename T>
void spawn(Task<T> task, const Lifetime& life = {}) {
  if constexpr (std::is_void_v<T>) spawn(std::move(task), [] {}, {}, life);
  else spawn(std::move(task), [](T) {}, {}, life);
}

// `co_await sleep_for(s, d, life)`: resumes after d on the scheduler. Throws Cancelled instead
// if `life` ends meanwhile (at once, not at the end of the delay), or has ended already, or if
// the scheduler drops the timer unrun.
struct SleepFor {
  Scheduler& scheduler;
  Duration delay;
  Lifetime life;
  bool cancelled = false;
  bool await_ready() const noexcept { return !alive(life); }
  template <typename P>
  void await_suspend(std::coroutine_handle<P> h) {
    auto wake = std::make_shared<internal::Wake>(h, &cancelled);
    if constexpr (std::is_base_of_v<internal::PromiseBase, P>) {
      if (const auto& chain = h.promise().chain) chain->sleeping = wake;
    }
    if (life) life->add(wake);
    scheduler.after(delay, [wake] { (*wake)(); });
  }
  void await_resume() const {
    if (cancelled || !alive(life)) throw Cancelled{};
  }
};
inline SleepFor sleep_for(Scheduler& s, Duration d, Lifetime life = {}) { return {s, d, std::move(life), false}; }

}  // namespace wattshare
