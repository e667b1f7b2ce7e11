// The dashboard's history in SQLite (a file in the data directory, or ":memory:"): one row per
// unit and sample time (RSoC, bus and battery side of the converter, PV, load, mode), one row per
// disposed deal (APIS deal JSON) and the community totals per sample. It survives a restart;
// queries page and thin the rows so an answer stays small. SQLite stays inside this module.
//   auto store = HistoryStore::open(dir + "/history.sqlite").value();
//   store->add_samples(samples);  auto s = store->series("E001", from, to, 500);
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "core/error.hpp"
#include "core/time.hpp"

namespace wattshare {

struct UnitSample {
  std::string unit_id;
  TimePoint time;
  double rsoc_pct = 0;
  double vg_v = 0, ig_a = 0, wg_w = 0;
  double vb_v = 0, ib_a = 0, wb_w = 0;
  double pv_w = 0, load_w = 0;
  std::string mode;  // "0x0014"
};

struct TotalsSample {
  TimePoint time;
  double self_sufficiency = 0;
  double shared_wh = 0, import_wh = 0, export_wh = 0, pv_wh = 0, load_wh = 0;
  double bus_voltage_v = 0;
  int active_deals = 0;
};

struct StoredDeal {
  std::string deal_id;
  TimePoint disposed;
  std::string json;  // the APIS deal JSON as logged
};

class HistoryStore {
 public:
  // `max_bytes` > 0 caps the file (SQLite's max_page_count, as a small SD card would): beyond
  // it every write is refused as on a full disk ("database or disk is full").
  [[nodiscard]] static tl::expected<std::unique_ptr<HistoryStore>, Error> open(const std::string& path,
                                                                              std::uint64_t max_bytes = 0);
  ~HistoryStore();
  HistoryStore(const HistoryStore&) = delete;
  HistoryStore& operator=(const HistoryStore&) = delete;

  // Each call is one transaction: all rows or none.
  [[nodiscard]] tl::expected<void, Error> add(const std::vector<UnitSample>& units, const TotalsSample& totals);
  [[nodiscard]] tl::expected<void, Error> add_deal(const StoredDeal& d);

  // Samples of one unit in [from, to], at most `max_points` (evenly thinned), oldest first.
  [[nodiscard]] std::vector<UnitSample> series(const std::string& unit, TimePoint from, TimePoint to,
                                               std::size_t max_points) const;
  [[nodiscard]] std::vector<TotalsSample> totals(TimePoint from, TimePoint to, std::size_t max_points) const;
  // Disposed deals, newest first.
  [[nodiscard]] std::vector<StoredDeal> deals(std::size_t offset, std::size_t limit) const;
  [[nodiscard]] std::size_t deal_count() const;
  // The newest sample time and each unit's last RSoC: where a restarted demo carries on.
  [[nodiscard]] std::optional<TimePoint> last_time() const;
  [[nodiscard]] std::optional<double> last_rsoc(const std::string& unit) const;

 private:
  struct Db;
  explicit HistoryStore(std::unique_ptr<Db> db);
  std::unique_ptr<Db> db_;
};

// CSV with a header row; times as APIS time strings in `utc_offset`.
std::string series_csv(const std::vector<UnitSample>& samples, Duration utc_offset);
std::string deals_csv(const std::vector<StoredDeal>& deals, Duration utc_offset);

}  // namespace wattshare
