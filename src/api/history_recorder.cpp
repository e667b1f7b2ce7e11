#include "api/history_recorder.hpp"

#include <fmt/format.h>

#include "devices/dcdc.hpp"

namespace wattshare {

HistoryRecorder::HistoryRecorder(Community& community, SharingView& sharing, HistoryStore& store,
                                 Scheduler& scheduler, Duration period, std::function<void(const std::string&)> problem)
    : community_(community), sharing_(sharing), store_(store), scheduler_(scheduler), period_(period),
      problem_(std::move(problem)) {}

HistoryRecorder::~HistoryRecorder() {
  if (timer_ != kNoTimer) scheduler_.cancel(timer_);
}

void HistoryRecorder::start() {
  sharing_.on_deal_record([this](const std::string& deal_id, const Json& record) {
    pending_deals_.push_back({deal_id, scheduler_.now(), dump_json(record)});
    bound_queue();
    flush();
  });
  timer_ = scheduler_.every(period_, [this] { record_now(); });
}

bool HistoryRecorder::record_now() {
  const TimePoint now = scheduler_.now();
  community_.advance_to(now);
  Batch b;
  for (std::size_t i = 0; i < community_.size(); ++i) {
    const UnitData d = community_.unit_data(i);
    b.units.push_back({community_.unit_id(i), now, d.rsoc_pct, d.meter.vg_v, d.meter.ig_a, d.meter.wg_w,
                       d.meter.vb_v, d.meter.ib_a, d.meter.wb_w, community_.pv_w(i), community_.load_w(i),
                       std::string(mode_code(d.mode))});
  }
  const EnergyTotals t = community_.totals();
  b.totals = {now, t.load_wh > 0 ? 1.0 - t.import_wh / t.load_wh : 1.0, t.shared_wh, t.import_wh, t.export_wh,
              t.pv_wh, t.load_wh, community_.bus_voltage_v(), 0};
  sharing_.for_each_deal([&](const Deal&) { ++b.totals.active_deals; });
  pending_.push_back(std::move(b));
  bound_queue();
  return flush();
}

void HistoryRecorder::bound_queue() {
  // Samples go first (a chart has gaps), deals last (each one is a record of its own).
  while (queued() > kMaxQueued && !pending_.empty()) {
    pending_.pop_front();
    ++dropped_;
  }
  while (queued() > kMaxQueued) {
    pending_deals_.pop_front();
    ++dropped_;
  }
}

void HistoryRecorder::refused(const Error& e) {
  ++write_errors_;
  const bool first = !last_error_ || last_error_->message != e.message;
  last_error_ = e;
  if (first && problem_) {
    problem_(fmt::format("history: {} ({} rows queued, {} dropped so far)", e.message, queued(), dropped_));
  }
}

bool HistoryRecorder::flush() {
  while (!pending_.empty()) {
    if (auto r = store_.add(pending_.front().units, pending_.front().totals); !r) {
      refused(r.error());
      return false;
    }
    pending_.pop_front();
  }
  while (!pending_deals_.empty()) {
    if (auto r = store_.add_deal(pending_deals_.front()); !r) {
      refused(r.error());
      return false;
    }
    pending_deals_.pop_front();
  }
  if (last_error_ && problem_) problem_("history: writing again");
  last_error_.reset();
  return true;
}

}  // namespace wattshare
