#include "cluster/etcd_watch.hpp"

#include <chrono>

#include <fmt/format.h>

#include "core/base64.hpp"

namespace wattshare::cluster {

EtcdWatch::EtcdWatch(EtcdEndpoint endpoint, std::string prefix, std::int64_t start_revision, OnEvents on_events,
                     OnError on_error, OnResync on_resync)
    : endpoint_(std::move(endpoint)),
      prefix_(std::move(prefix)),
      next_revision_(start_revision),
      on_events_(std::move(on_events)),
      on_error_(std::move(on_error)),
      on_resync_(std::move(on_resync)),
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
    Json create{{"key", base64_encode(prefix_)}, {"range_end", base64_encode(prefix_end(prefix_))}, {"progress_notify", true}};
    if (next_revision_ > 0) create["start_revision"] = std::to_string(next_revision_.load());
    std::string pending;
    bool healthy = false;
    if (endpoint_.credentials) {
      // A token of its own for each stream (the old one may have ended while etcd was away).
      EtcdClient login{endpoint_, std::chrono::milliseconds(2000)};
      auto token = login.authenticate();
      http_->set_header("Authorization", token ? *token : std::string());
      if (!token && on_error_ && failures == 0) on_error_(token.error());
    }
    auto ended = http_->stream("POST", "/v3/watch", dump_json(Json{{"create_request", create}}), [&](std::string_view piece) {
      pending.append(piece);
      for (std::size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
        const std::string line = pending.substr(0, nl);
        pending.erase(0, nl + 1);
        if (line.find_first_not_of(" \r\t") == std::string::npos) continue;
        auto message = parse_watch_message(line);
        if (!message) {
          if (on_error_) on_error_(message.error());
          return false;  // re-open from the last revision seen
        }
        healthy = true;
        if (message->compact_revision > 0) {
          // What we missed is gone: read everything again, then go on from there.
          if (on_error_) {
            on_error_(Error::not_available(fmt::format("history from revision {} was compacted (at {}): reading {} again",
                                                       next_revision_.load(), message->compact_revision, prefix_)));
          }
          const std::int64_t read_at = on_resync_ ? on_resync_() : 0;
          next_revision_ = read_at > 0 ? read_at + 1 : message->compact_revision;
          return false;
        }
        if (message->events.empty()) {
          // A progress notice: everything up to its revision has been sent.
          if (!message->created && message->revision >= next_revision_) next_revision_ = message->revision + 1;
          continue;
        }
        next_revision_ = message->events.back().kv.mod_revision + 1;
        on_events_(std::move(message->events));
      }
      return !stopping_;
    }, std::chrono::duration_cast<std::chrono::milliseconds>(kIdle));
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
