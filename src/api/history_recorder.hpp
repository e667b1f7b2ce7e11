// Writes the live community into the HistoryStore: every unit's sample and the totals each
// `period` of community time, and every disposed deal. Rows the store could not take stay
// queued and go with the next write, so a transient failure loses nothing; the queue is bounded
// (a disk that stays full cannot eat the memory): beyond it the oldest rows are dropped and
// counted. A failure is never silent: `problem` hears of it at once (the log), and health()
// says so (the API's /api/health and /metrics).
//   HistoryRecorder rec{community, sharing_view, store, scheduler, minutes(1)};
//   rec.start();
#pragma once

#include <deque>
#include <functional>
#include <optional>
#include <string>

#include "api/history_health.hpp"
#include "api/sharing_view.hpp"
#include "store/history_store.hpp"

namespace wattshare {

class HistoryRecorder {
 public:
  static constexpr std::size_t kMaxQueued = 10000;  // sample batches + deals: a week at one batch a minute

  HistoryRecorder(Community& community, SharingView& sharing, HistoryStore& store, Scheduler& scheduler,
                  Duration period, std::function<void(const std::string&)> problem = {});
  ~HistoryRecorder();
  void start();
  // Records one sample now and flushes what is queued; false if the store refused.
  bool record_now();
  [[nodiscard]] std::size_t queued() const { return pending_.size() + pending_deals_.size(); }
  [[nodiscard]] const std::optional<Error>& last_error() const { return last_error_; }
  [[nodiscard]] HistoryHealth health() const { return {queued(), write_errors_, dropped_, last_error_}; }

 private:
  struct Batch {
    std::vector<UnitSample> units;
    TotalsSample totals;
  };
  bool flush();
  void refused(const Error& e);
  void bound_queue();

  Community& community_;
  SharingView& sharing_;
  HistoryStore& store_;
  Scheduler& scheduler_;
  Duration period_;
  TimerId timer_ = kNoTimer;
  std::deque<Batch> pending_;
  std::deque<StoredDeal> pending_deals_;
  std::optional<Error> last_error_;
  std::uint64_t write_errors_ = 0, dropped_ = 0;
  std::function<void(const std::string&)> problem_;
};

}  // namespace wattshare
