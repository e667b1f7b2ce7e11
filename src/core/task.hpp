// Sequential procedures that wait in (virtual) time: a lazily started coroutine Task<T>, a
// `co_await sleep_for(scheduler, d)` that resumes from the Scheduler, and spawn() to run a task
// detached. APIS's grid master and controller procedures (checkpoint polls, current stepping,
// negotiation windows) read as straight code and stay deterministic under SimScheduler.
//
// Cancellation: a task started with a Lifetime stops at its next sleep once the lifetime ends
// (its unit crashed or was reset): the sleep throws Cancelled, which unwinds to spawn().
// g++ 12 destroys a temporary twice when it is built by a conditional expression inside a
// co_await (a double free, caught under ASan): name such arguments first.
//   std::string why = low ? ... : ...;  co_await abort(d, std::move(why));
//   Task<int> f(Scheduler& s) { co_await sleep_for(s, seconds(1)); co_return 42; }
//   spawn(f(s), [](int v) { ... });
#pragma once

#include <coroutine>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include "core/clock.hpp"

namespace wattshare {

struct Cancelled : std::exception {
  const char* what() const noexcept override { return "cancelled"; }
};

// Shared flag: false once the owner is gone.
using Lifetime = std::shared_ptr<bool>;
inline Lifetime make_lifetime() { return std::make_shared<bool>(true); }

template <typename T>
class Task;

namespace internal {

struct PromiseBase {
  std::coroutine_handle<> continuation;
  std::exception_ptr error;
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
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> caller) noexcept {
    h_.promise().continuation = caller;
    return h_;
  }
  T await_resume() {
    if (h_.promise().error) std::rethrow_exception(h_.promise().error);
    if constexpr (!std::is_void_v<T>) return std::move(*h_.promise().value);
  }

  Handle release() { return std::exchange(h_, {}); }

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
template <typename T, typename Done>
void spawn(Task<T> task, Done done, std::function<void(std::exception_ptr)> failed = {}) {
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
void spawn(Task<T> task) {
  if constexpr (std::is_void_v<T>) spawn(std::move(task), [] {});
  else spawn(std::move(task), [](T) {});
}

// `co_await sleep_for(s, d, life)`: resumes after d on the scheduler; throws Cancelled on
// resumption if `life` has ended meanwhile.
struct SleepFor {
  Scheduler& scheduler;
  Duration delay;
  Lifetime life;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    scheduler.after(delay, [h] { h.resume(); });
  }
  void await_resume() const {
    if (life && !*life) throw Cancelled{};
  }
};
inline SleepFor sleep_for(Scheduler& s, Duration d, Lifetime life = {}) { return {s, d, std::move(life)}; }

}  // namespace wattshare
