#include "support/process.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <utility>

namespace wattshare::test {

ChildProcess::ChildProcess(const std::vector<std::string>& argv, bool with_stderr) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // A test that crashes (an ASan abort skips destructors) takes its processes with it.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    dup2(fds[1], STDOUT_FILENO);
    if (with_stderr) dup2(fds[1], STDERR_FILENO);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  out_fd_ = fds[0];
  reader_ = std::thread([this] { read_all(); });
}

ChildProcess::~ChildProcess() {
  stop(std::chrono::milliseconds(3000));
  stopping_ = true;  // a grandchild may still hold the pipe open: do not wait for its end
  if (reader_.joinable()) reader_.join();
  if (out_fd_ >= 0) close(out_fd_);
}

void ChildProcess::read_all() {
  while (!stopping_) {
    pollfd p{out_fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char chunk[4096];
    const ssize_t n = read(out_fd_, chunk, sizeof chunk);
    std::lock_guard lock{mutex_};
    if (n <= 0) {
      eof_ = true;
      readable_.notify_all();
      return;
    }
    unread_.append(chunk, static_cast<std::size_t>(n));
    printed_.append(chunk, static_cast<std::size_t>(n));
    readable_.notify_all();
  }
}

std::optional<std::string> ChildProcess::read_line(std::chrono::milliseconds timeout) {
  std::unique_lock lock{mutex_};
  readable_.wait_for(lock, timeout, [&] { return eof_ || unread_.find('\n') != std::string::npos; });
  const auto nl = unread_.find('\n');
  if (nl == std::string::npos) {
    if (!eof_ || unread_.empty()) return std::nullopt;
    return std::exchange(unread_, {});  // its last words, without a newline
  }
  std::string line = unread_.substr(0, nl);
  unread_.erase(0, nl + 1);
  return line;
}

std::string ChildProcess::output(std::size_t max_bytes) const {
  std::lock_guard lock{mutex_};
  return printed_.size() > max_bytes ? printed_.substr(printed_.size() - max_bytes) : printed_;
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
  if (exited_) return status_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (true) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      return status_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    usleep(10000);  // polling a child's exit, not waiting on the code under test
  }
}

int ChildProcess::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0 || exited_) return status_;
  kill(pid_, SIGTERM);
  if (auto s = wait(grace)) return *s;
  int status = 0;
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  exited_ = true;
  status_ = -1;
  return status_;
}

RunResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout, bool with_stderr) {
  ChildProcess p{argv, with_stderr};
  RunResult r;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto left = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                 std::chrono::steady_clock::now());
  };
  while (auto line = p.read_line(left())) r.out += *line + "\n";
  r.exit_code = p.wait(left()).value_or(-1);
  return r;
}

std::unique_ptr<ChildProcess> start(const std::vector<std::string>& argv, const std::string& marker,
                                    std::string* line_out) {
  auto p = std::make_unique<ChildProcess>(argv);
  for (int i = 0; i < 32; ++i) {
    const auto line = p->read_line(std::chrono::milliseconds(30000));
    if (!line) break;
    if (line->find(marker) != std::string::npos) {
      if (line_out) *line_out = *line;
      return p;
    }
  }
  ADD_FAILURE() << argv.at(1) << " never printed " << marker;
  return p;
}

std::uint16_t port_in(const std::string& line) {
  const std::string marker = "http://127.0.0.1:";
  const auto at = line.find(marker);
  return at == std::string::npos ? 0 : static_cast<std::uint16_t>(std::stoi(line.substr(at + marker.size())));
}

}  // namespace wattshare::test
