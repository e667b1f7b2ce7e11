// The demo's history reads, off the engine's thread: one thread with its own SQLite connection
// (WAL lets it read while the recorder writes) runs HistoryQuery after HistoryQuery from a
// bounded queue; a full queue is answered 503 at once, so a burst of CSV downloads can neither
// stall the engine nor grow memory without end.
//   HistoryReader reader{std::move(second_connection)};
//   if (!reader.post(*query, respond)) respond(busy);
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "api/history_query.hpp"
#include "net/http_server.hpp"

namespace wattshare::app {

class HistoryReader {
 public:
  static constexpr std::size_t kMaxQueued = 32;

  explicit HistoryReader(std::unique_ptr<HistoryStore> store) : store_(std::move(store)) {
    thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
  }
  ~HistoryReader() {
    thread_.request_stop();
    wake_.notify_all();
  }
  HistoryReader(const HistoryReader&) = delete;
  HistoryReader& operator=(const HistoryReader&) = delete;

  // Queues the query; false (and nothing queued) when kMaxQueued are waiting already.
  bool post(HistoryQuery q, HttpServer::Respond respond) {
    {
      std::lock_guard lock{mutex_};
      if (queue_.size() >= kMaxQueued) return false;
      queue_.emplace_back(std::move(q), std::move(respond));
    }
    wake_.notify_one();
    return true;
  }

 private:
  void run(const std::stop_token& stop) {
    while (true) {
      std::pair<HistoryQuery, HttpServer::Respond> job;
      {
        std::unique_lock lock{mutex_};
        wake_.wait(lock, [&] { return stop.stop_requested() || !queue_.empty(); });
        if (stop.stop_requested()) return;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      HttpResponse r;
      try {
        r = job.first.run(*store_);
      } catch (const std::exception& e) {
        r = json_response(500, dump_json(Json{{"error", std::string("history: ") + e.what()}}));
      }
      job.second(std::move(r));
    }
  }

  std::unique_ptr<HistoryStore> store_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::pair<HistoryQuery, HttpServer::Respond>> queue_;
  std::jthread thread_;  // last: it stops before what it uses goes
};

}  // namespace wattshare::app
