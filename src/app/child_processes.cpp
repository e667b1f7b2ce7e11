#include "app/child_processes.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <thread>

#include <fmt/format.h>

namespace wattshare::app {

tl::expected<pid_t, Error> ChildProcesses::start(std::string name, const std::vector<std::string>& argv,
                                                 const std::string& log_file, int tier) {
  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  const int log = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) return tl::unexpected(Error::not_available(fmt::format("{}: cannot open {}", name, log_file)));
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log);
    return tl::unexpected(Error::internal(fmt::format("{}: fork failed", name)));
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);  // the parent is already gone
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, STDIN_FILENO);
    ::setpgid(0, 0);  // Ctrl-C on the terminal reaches the parent only: it stops them in order
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(log);
  children_.push_back({std::move(name), pid, tier});
  return pid;
}

std::vector<ChildExit> ChildProcesses::reap_exited() {
  std::vector<ChildExit> out;
  for (auto it = children_.begin(); it != children_.end();) {
    int status = 0;
    if (::waitpid(it->pid, &status, WNOHANG) == it->pid) {
      out.push_back({it->name, it->pid, status});
      it = children_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

void ChildProcesses::stop_all(std::chrono::milliseconds grace) {
  while (!children_.empty()) {
    int tier = children_.front().tier;
    for (const Child& c : children_) tier = std::max(tier, c.tier);
    std::vector<Child> group;
    std::erase_if(children_, [&](const Child& c) {
      if (c.tier != tier) return false;
      group.push_back(c);
      return true;
    });
    for (const Child& c : group) ::kill(c.pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    for (const Child& c : group) {
      int status = 0;
      while (::waitpid(c.pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
          ::kill(c.pid, SIGKILL);
          ::waitpid(c.pid, &status, 0);
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
  }
}

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return fmt::format("exit {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("signal {}", WTERMSIG(status));
  return fmt::format("status {}", status);
}

std::string find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs{path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin"};
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return std::filesystem::absolute(candidate).string();
  }
  return {};
}

}  // namespace wattshare::app
