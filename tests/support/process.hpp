// A child process for integration tests: started with its stdout on a pipe, stopped by pid in
// the destructor (SIGTERM, then SIGKILL), so a failing test never leaves it running.
//   ChildProcess p{{WATTSHARE_BIN, "emulator", "--port", "0"}};
//   std::string line = p.read_line(std::chrono::seconds(20));
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
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
  // Sends SIGTERM and waits up to `grace` for exit; returns the exit status (-1 if killed).
  int stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
  // Waits for the process to exit by itself; nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  [[nodiscard]] pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string buffer_;
  bool exited_ = false;
  int status_ = -1;
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
