// `wattshare p2p console`: the pair in (accelerated) real time driven by the original example's
// serial keys. Each 100 ms status period takes at most one key, so a script piped into it runs
// the same way every time; `.` lets a period pass without a key.
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/commands.hpp"
#include "app/p2p_setup.hpp"

namespace wattshare::app {
namespace {

constexpr int kTicksPerPeriod = 1000;  // 100 ms of 100 µs ticks

// Single keys without Enter on a terminal; restored on every exit path.
class RawTerminal {
 public:
  RawTerminal() : tty_(::isatty(STDIN_FILENO) == 1) {
    if (!tty_ || ::tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios raw = saved_;
    raw.c_lflag &= static_cast<tcflag_t>(~(ICANON | ECHO));
    ::tcsetattr(STDIN_FILENO, TCSANOW, &raw);
  }
  ~RawTerminal() {
    if (tty_) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
  }
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;

  // A terminal is polled (no key: 0); a pipe is read one character at a time (end: 'q').
  char key() const {
    if (tty_) {
      pollfd p{STDIN_FILENO, POLLIN, 0};
      if (::poll(&p, 1, 0) <= 0) return 0;
    }
    char c = 0;
    return ::read(STDIN_FILENO, &c, 1) == 1 ? c : 'q';
  }

 private:
  bool tty_;
  termios saved_{};
};

void menu() {
  fmt::print(
      "keys: p power, i idle (re-arms the scope), t trigger the scope, r dump the scope (in idle),\n"
      "      h this menu, q quit; status in power: status:v_dc_ref:V_high:duty:I2_low:I1_low:V1_low\n");
}

}  // namespace

int run_p2p_console(const P2pOptions& o, double acceleration) {
  p2p::PairConfig c = pair_config(o);
  c.duration_s = 1e7;
  c.start_powered = false;
  c.keep_history = false;
  auto sim = p2p::PairSimulation::make(c);
  if (!sim) {
    spdlog::error("{}", sim.error().message);
    return 1;
  }
  p2p::ScopeRecorder scope = rectifier_scope();
  bool trigger = false, download = false;
  p2p::ConverterState shown = p2p::ConverterState::kIdle;
  RawTerminal terminal;
  menu();
  std::fflush(stdout);
  const auto start = std::chrono::steady_clock::now();
  for (long period = 1;; ++period) {
    switch (terminal.key()) {
      case 'h': menu(); break;
      case 'p': sim->inverter().start(); break;
      case 'i':
        sim->inverter().stop();
        scope.start();
        trigger = false;
        break;
      case 't': trigger = true; break;
      case 'r':
        download = true;
        trigger = false;
        break;
      case 'q': return 0;
      default: break;
    }
    for (int k = 0; k < kTicksPerPeriod && sim->tick(); ++k) {
      const p2p::TickRecord& r = sim->records().back();
      // The scope starts with each run, as the original's record-start frame, or on `t`.
      scope.acquire(scope_channels(r), trigger || r.rectifier_state == p2p::ConverterState::kPower);
    }
    const p2p::TickRecord& r = sim->records().back();
    if (r.rectifier_state != shown) {
      shown = r.rectifier_state;
      if (shown == p2p::ConverterState::kError) {
        fmt::print("ERROR: rectifier {}\n", p2p::to_string(sim->rectifier().trip()));
      } else {
        fmt::print("{}\n", p2p::to_string(shown));
      }
    }
    if (shown == p2p::ConverterState::kPower) {
      // status:v_dc_ref:V_high:duty:I2_low:I1_low:V1_low, the channels the scope records.
      const auto ch = scope_channels(r);
      fmt::print("{}:{:.2f}:{:.2f}:{:.3f}:{:.3f}:{:.3f}:{:.2f}\n", static_cast<int>(p2p::LinkStatus::kRun),
                 ch[7], ch[4], ch[8], ch[1], ch[0], ch[2]);
    }
    if (download && sim->inverter().state() != p2p::ConverterState::kPower) {
      fmt::print("{}", scope.dump());
      download = false;
    }
    std::fflush(stdout);
    std::this_thread::sleep_until(start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                              std::chrono::duration<double>(0.1 * period / acceleration)));
  }
}

}  // namespace wattshare::app
