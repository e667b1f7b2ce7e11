#include "api/history_recorder.hpp"

#include "devices/dcdc.hpp"

namespace wattshare {

HistoryRecorder::HistoryRecorder(Community& community, SharingView& sharing, HistoryStore& store,
                                 Scheduler& scheduler, Duration period)
    : community_(community), sharing_(sharing), store_(store), scheduler_(scheduler), period_(period) {}

HistoryRecorder::~HistoryRecorder() {
  if (timer_ != kNoTimer) scheduler_.cancel(timer_);
}

void HistoryRecorder::start() {
  sharing_.on_deal_record([this](const std::string& deal_id, const Json& record) {
    pending_deals_.push_back({deal_id, scheduler_.now(), dump_json(record)});
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
  return flush();
}

bool HistoryRecorder::flush() {
  while (!pending_.empty()) {
    if (auto r = store_.add(pending_.front().units, pending_.front().totals); !r) {
      last_error_ = r.error();
      return false;
    }
    pending_.pop_front();
  }
  while (!pending_deals_.empty()) {
    if (auto r = store_.add_deal(pending_deals_.front()); !r) {
      last_error_ = r.error();
      return false;
    }
    pending_deals_.pop_front();
  }
  last_error_.reset();
  return true;
}

}  // namespace wattshare
