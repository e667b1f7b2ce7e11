// A child process for integration tests: started with its stdout on a pipe, stopped by pid in
// the destructor (SIGTERM, then SIGKILL), so a failing test never leaves it running. The pipe is
// read all the time by a thread of its own, so a chatty child never blocks on a full pipe (which
// would freeze it mid-test); what it printed stays available to read_line and output().
//   ChildProcess p{{WATTSHARE_BIN, "emulator", "--port", "0"}};
//   std::string line = p.read_line(std::chrono::seconds(20));
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace wattshare::test {

class ChildProcess {
 public:
  // `with_stderr`: the child's stderr goes to the same pipe (to assert its messages).
  explicit ChildProcess(const std::vector<std::string>& argv, bool with_stderr = false);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The next line of stdout, or nullopt at EOF or after `timeout`.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);
  // Everything it printed so far (its last `max_bytes`), for a failing test's report.
  [[nodiscard]] std::string output(std::size_t max_bytes = 8192) const;
  // Sends SIGTERM and waits up to `grace` for exit; returns the exit status (-1 if killed).
  int stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
  // Waits for the process to exit by itself; nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  [[nodiscard]] pid_t pid() const { return pid_; }

 private:
  void read_all();  // the reader thread

  pid_t pid_ = -1;
  int out_fd_ = -1;
  bool exited_ = false;
  int status_ = -1;
  mutable std::mutex mutex_;
  std::condition_variable readable_;
  std::string unread_;  // what read_line has not taken yet
  std::string printed_;  // all of it, for output()
  bool eof_ = false;
  std::atomic<bool> stopping_{false};
  std::thread reader_;
};

// Starts a process and waits (up to 30 s a line, 4 lines) for the line containing `marker`, which
// goes to `line_out`; a test failure when it never comes.
std::unique_ptr<ChildProcess> start(const std::vector<std::string>& argv, const std::string& marker,
                                    std::string* line_out = nullptr);
// The port of the first "http://127.0.0.1:<port>" in a line, or 0.
std::uint16_t port_in(const std::string& line);

// Runs a command to completion; returns {exit code, stdout}. Stderr goes to the test log.
struct RunResult {
  int exit_code = -1;
  std::string out;
};
RunResult run_command(const std::vector<std::string>& argv,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(120000),
                      bool with_stderr = false);

}  // namespace wattshare::test
