// A watch on a key prefix through etcd's JSON gateway, on its own thread: every batch of events
// goes to `on_events` (on that thread; the caller posts to its own loop). A broken stream is
// re-opened from the revision after the last event seen, so nothing is missed while etcd is
// away. It asks for etcd's progress notices, and a stream silent for `kIdle` is taken for a
// half-open connection and re-opened. When the history it needs was compacted meanwhile,
// `on_resync` reads the whole prefix again (the caller rebuilds what it keeps from it) and
// returns the revision to go on from. The destructor stops it.
//   EtcdWatch w{endpoint, "/wattshare/c1/", rev + 1, on_events, on_error, on_resync};
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cluster/etcd_client.hpp"

namespace wattshare::cluster {

class EtcdWatch {
 public:
  using OnEvents = std::function<void(std::vector<WatchEvent>)>;
  using OnError = std::function<void(const Error&)>;
  // Reads everything again; the revision of that read (0: it failed, try again later).
  using OnResync = std::function<std::int64_t()>;
  static constexpr std::chrono::seconds kIdle{10};

  EtcdWatch(EtcdEndpoint endpoint, std::string prefix, std::int64_t start_revision, OnEvents on_events,
            OnError on_error = {}, OnResync on_resync = {});
  ~EtcdWatch();
  EtcdWatch(const EtcdWatch&) = delete;
  EtcdWatch& operator=(const EtcdWatch&) = delete;

 private:
  void run();

  EtcdEndpoint endpoint_;
  std::string prefix_;
  std::atomic<std::int64_t> next_revision_;
  OnEvents on_events_;
  OnError on_error_;
  OnResync on_resync_;
  std::atomic<bool> stopping_{false};
  std::unique_ptr<HttpClient> http_;
  std::thread thread_;
};

}  // namespace wattshare::cluster
