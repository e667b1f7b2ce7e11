#include "devices/serial/pty_server.hpp"

#include <poll.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace wattshare {
namespace {

bool write_all(int fd, const std::vector<std::uint8_t>& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
      return false;
    } else {
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, 10);
    }
  }
  return true;
}

}  // namespace

bool PtyServer::poll_once(std::chrono::milliseconds timeout) {
  std::vector<pollfd> fds;
  for (const Served& s : devices_) fds.push_back({s.link->master_fd(), POLLIN, 0});
  const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(timeout.count()));
  for (std::size_t i = 0; i < fds.size(); ++i) {
    const auto own = devices_[i].device->on_idle();
    if (!own.empty() && !write_all(fds[i].fd, own)) return false;
  }
  if (ready <= 0) return ready == 0 || errno == EINTR;
  std::array<std::uint8_t, 512> buf{};
  for (std::size_t i = 0; i < fds.size(); ++i) {
    if ((fds[i].revents & POLLIN) == 0) continue;
    const ssize_t n = ::read(fds[i].fd, buf.data(), buf.size());
    if (n <= 0) continue;
    auto reply = devices_[i].device->on_bytes(std::span{buf.data(), static_cast<std::size_t>(n)});
    if (!reply.empty() && !write_all(fds[i].fd, reply)) return false;
  }
  return true;
}

PtyServer::~PtyServer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void PtyServer::run_in_background() {
  thread_ = std::thread([this] { run(stop_); });
}

void PtyServer::run(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    if (!poll_once(std::chrono::milliseconds(20))) return;
  }
}

}  // namespace wattshare
