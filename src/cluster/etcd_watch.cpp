#include "cluster/etcd_watch.hpp"

#include <chrono>

#include "core/base64.hpp"

namespace wattshare::cluster {

EtcdWatch::EtcdWatch(EtcdEndpoint endpoint, std::string prefix, std::int64_t start_revision, OnEvents on_events,
                     OnError on_error)
    : endpoint_(std::move(endpoint)),
      prefix_(std::move(prefix)),
      next_revision_(start_revision),
      on_events_(std::move(on_events)),
      on_error_(std::move(on_error)),
      http_(std::make_unique<HttpClient>(endpoint_.host, endpoint_.port, std::chrono::milliseconds(2000), endpoint_.tls)),
      thread_([this] { run(); }) {}

EtcdWatch::~EtcdWatch() {
  stopping_ = true;
  http_->stop();
  thread_.join();
}

void EtcdWatch::run() {
  auto backoff = std::chrono::milliseconds(100);
  int failures = 0;
  while (!stopping_) {
    Json create{{"key", base64_encode(prefix_)}, {"range_end", base64_encode(prefix_end(prefix_))}};
    if (next_revision_ > 0) create["start_revision"] = std::to_string(next_revision_.load());
    std::string pending;
    bool healthy = false;
    auto ended = http_->stream("POST", "/v3/watch", dump_json(Json{{"create_request", create}}), [&](std::string_view piece) {
      pending.append(piece);
      for (std::size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
        const std::string line = pending.substr(0, nl);
        pending.erase(0, nl + 1);
        if (line.find_first_not_of(" \r\t") == std::string::npos) continue;
        auto events = parse_watch_message(line);
        if (!events) {
          if (on_error_) on_error_(events.error());
          return false;  // re-open from the last revision seen
        }
        healthy = true;
        if (events->empty()) continue;
        next_revision_ = events->back().kv.mod_revision + 1;
        on_events_(std::move(*events));
      }
      return !stopping_;
    });
    if (stopping_) break;
    if (healthy) {
      backoff = std::chrono::milliseconds(100);
      failures = 0;
    }
    // The first failure in a row is reported, then one in 15 (about every 30 s while etcd is away).
    if (!ended && on_error_ && failures++ % 15 == 0) on_error_(ended.error());
    // Sleep in small steps so the destructor never waits long.
    for (auto slept = std::chrono::milliseconds(0); slept < backoff && !stopping_; slept += std::chrono::milliseconds(20)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
  }
}

}  // namespace wattshare::cluster
