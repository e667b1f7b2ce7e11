// Writes the live community into the HistoryStore: every unit's sample and the totals each
// `period` of community time, and every disposed deal. Rows the store could not take stay
// queued and go with the next write, so a transient failure loses nothing.
//   HistoryRecorder rec{community, sharing_view, store, scheduler, minutes(1)};
//   rec.start();
#pragma once

#include <deque>

#include "api/sharing_view.hpp"
#include "store/history_store.hpp"

namespace wattshare {

class HistoryRecorder {
 public:
  HistoryRecorder(Community& community, SharingView& sharing, HistoryStore& store, Scheduler& scheduler,
                  Duration period);
  ~HistoryRecorder();
  void start();
  // Records one sample now and flushes what is queued; false if the store refused.
  bool record_now();
  [[nodiscard]] std::size_t queued() const { return pending_.size() + pending_deals_.size(); }
  [[nodiscard]] const std::optional<Error>& last_error() const { return last_error_; }

 private:
  struct Batch {
    std::vector<UnitSample> units;
    TotalsSample totals;
  };
  bool flush();

  Community& community_;
  SharingView& sharing_;
  HistoryStore& store_;
  Scheduler& scheduler_;
  Duration period_;
  TimerId timer_ = kNoTimer;
  std::deque<Batch> pending_;
  std::deque<StoredDeal> pending_deals_;
  std::optional<Error> last_error_;
};

}  // namespace wattshare
