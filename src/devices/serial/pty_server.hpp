// Serves emulated devices on pseudo-terminals: moves each device's received bytes to its
// responder and writes the replies back, in one thread, until stopped.
//   PtyServer server;  server.add(*pty, emulator);  server.run(stop_flag);
#pragma once

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "devices/serial/device_responder.hpp"
#include "devices/serial/pty.hpp"

namespace wattshare {

class PtyServer {
 public:
  PtyServer() = default;
  PtyServer(const PtyServer&) = delete;
  PtyServer& operator=(const PtyServer&) = delete;
  ~PtyServer();

  void add(PtyLink& link, DeviceResponder& device) { devices_.push_back({&link, &device}); }
  // Handles what arrives within `timeout`; returns false if a pty failed.
  bool poll_once(std::chrono::milliseconds timeout);
  void run(const std::atomic<bool>& stop);
  // Serves on a thread of its own until destroyed (tests, benchmarks); add devices first.
  void run_in_background();

 private:
  struct Served {
    PtyLink* link;
    DeviceResponder* device;
  };
  std::vector<Served> devices_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace wattshare
