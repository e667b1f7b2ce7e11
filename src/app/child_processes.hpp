// Processes a command starts and owns (`wattshare demo --processes`: etcd and one node per
// unit): each writes its output to a log file and is killed with its parent (PR_SET_PDEATHSIG),
// so a crashed parent leaves nothing behind; `stop_all` ends them tier by tier, the highest first
// (the nodes, all at once, before the etcd they leave through): SIGTERM, then SIGKILL after a
// grace period; it reaps them all.
//   ChildProcesses children;
//   auto pid = children.start("etcd", {"/usr/bin/etcd", "--data-dir", dir}, "etcd.log", 0);
//   children.stop_all(seconds(3));
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "core/error.hpp"

namespace wattshare::app {

struct ChildExit {
  std::string name;
  pid_t pid = 0;
  int status = 0;  // as waitpid gives it
};

class ChildProcesses {
 public:
  ChildProcesses() = default;
  ChildProcesses(const ChildProcesses&) = delete;
  ChildProcesses& operator=(const ChildProcesses&) = delete;
  ~ChildProcesses() { stop_all(std::chrono::seconds(3)); }

  // argv[0] is a path; `name` names it in messages.
  tl::expected<pid_t, Error> start(std::string name, const std::vector<std::string>& argv, const std::string& log_file,
                                   int tier = 0);
  // Those that ended on their own since the last call (reaped).
  std::vector<ChildExit> reap_exited();
  void stop_all(std::chrono::milliseconds grace);
  [[nodiscard]] std::size_t running() const { return children_.size(); }

 private:
  struct Child {
    std::string name;
    pid_t pid;
    int tier;
  };
  std::vector<Child> children_;
};

// "exit 3", "signal 9": how a child ended.
std::string describe_exit(int status);

// The absolute path of an executable named `name` on PATH, if there is one.
std::string find_on_path(const std::string& name);

}  // namespace wattshare::app
