#include "store/history_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "core/apis_time.hpp"

namespace wattshare {

struct HistoryStore::Db {
  explicit Db(const std::string& path)
      : db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE) {
    db.setBusyTimeout(2000);  // a reader and the recorder on one file wait for each other briefly
  }
  SQLite::Database db;
};

namespace {

std::int64_t ms_of(TimePoint t) { return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count(); }
TimePoint time_of(std::int64_t ms) { return TimePoint{} + std::chrono::duration_cast<Duration>(std::chrono::milliseconds(ms)); }

constexpr const char* kSchema = R"sql(
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE IF NOT EXISTS unit_samples (
  unit_id TEXT NOT NULL, t_ms INTEGER NOT NULL, rsoc REAL, vg REAL, ig REAL, wg REAL,
  vb REAL, ib REAL, wb REAL, pv REAL, load REAL, mode TEXT,
  PRIMARY KEY (unit_id, t_ms)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS totals (
  t_ms INTEGER PRIMARY KEY, self_sufficiency REAL, shared_wh REAL, import_wh REAL, export_wh REAL,
  pv_wh REAL, load_wh REAL, bus_v REAL, active_deals INTEGER);
CREATE TABLE IF NOT EXISTS deals (
  deal_id TEXT PRIMARY KEY, disposed_ms INTEGER NOT NULL, json TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS deals_by_time ON deals (disposed_ms);
)sql";

template <typename F>
auto guarded(const char* what, F&& f) -> tl::expected<void, Error> {
  try {
    f();
    return {};
  } catch (const std::exception& e) {
    return tl::make_unexpected(Error::internal(fmt::format("history store: {}: {}", what, e.what())));
  }
}

// Thinning happens in SQL, so a year of samples never leaves SQLite: the rows in range are cut
// into `max_points` equal time buckets over their own span and each bucket's first row is kept
// (SQLite takes a bare column from the row that MIN() chose). The table's (unit, time) key
// makes both scans index ranges.
struct Buckets {
  std::int64_t first = 0, width = 1;
};
std::optional<Buckets> buckets(SQLite::Database& db, const char* span_sql, const std::string* unit, std::int64_t from,
                               std::int64_t to, std::size_t max_points) {
  SQLite::Statement span{db, span_sql};
  int i = 1;
  if (unit) span.bind(i++, *unit);
  span.bind(i++, from);
  span.bind(i, to);
  if (!span.executeStep() || span.getColumn(0).isNull()) return std::nullopt;
  const std::int64_t first = span.getColumn(0).getInt64(), last = span.getColumn(1).getInt64();
  const auto points = static_cast<std::int64_t>(std::max<std::size_t>(max_points, 1));
  return Buckets{first, std::max<std::int64_t>(1, (last - first + points) / points)};
}

}  // namespace

HistoryStore::HistoryStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}
HistoryStore::~HistoryStore() = default;

tl::expected<std::unique_ptr<HistoryStore>, Error> HistoryStore::open(const std::string& path, std::uint64_t max_bytes) {
  try {
    auto db = std::make_unique<Db>(path);
    db->db.exec(kSchema);
    if (max_bytes > 0) {
      const auto page = db->db.execAndGet("PRAGMA page_size").getInt64();
      db->db.exec(fmt::format("PRAGMA max_page_count = {}", std::max<std::uint64_t>(1, max_bytes / static_cast<std::uint64_t>(page))));
    }
    return std::unique_ptr<HistoryStore>(new HistoryStore(std::move(db)));
  } catch (const std::exception& e) {
    return tl::make_unexpected(Error::not_available(fmt::format("history store {}: {}", path, e.what())));
  }
}

tl::expected<void, Error> HistoryStore::add(const std::vector<UnitSample>& units, const TotalsSample& t) {
  return guarded("add samples", [&] {
    SQLite::Transaction tx{db_->db};
    SQLite::Statement s{db_->db, "INSERT OR REPLACE INTO unit_samples VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"};
    for (const UnitSample& u : units) {
      s.bind(1, u.unit_id);
      s.bind(2, static_cast<std::int64_t>(ms_of(u.time)));
      int i = 3;
      for (double v : {u.rsoc_pct, u.vg_v, u.ig_a, u.wg_w, u.vb_v, u.ib_a, u.wb_w, u.pv_w, u.load_w}) s.bind(i++, v);
      s.bind(12, u.mode);
      s.exec();
      s.reset();
    }
    SQLite::Statement tot{db_->db, "INSERT OR REPLACE INTO totals VALUES (?,?,?,?,?,?,?,?,?)"};
    tot.bind(1, static_cast<std::int64_t>(ms_of(t.time)));
    int i = 2;
    for (double v : {t.self_sufficiency, t.shared_wh, t.import_wh, t.export_wh, t.pv_wh, t.load_wh, t.bus_voltage_v}) tot.bind(i++, v);
    tot.bind(9, t.active_deals);
    tot.exec();
    tx.commit();
  });
}

tl::expected<void, Error> HistoryStore::add_deal(const StoredDeal& d) {
  return guarded("add deal", [&] {
    SQLite::Statement s{db_->db, "INSERT OR REPLACE INTO deals VALUES (?,?,?)"};
    s.bind(1, d.deal_id);
    s.bind(2, static_cast<std::int64_t>(ms_of(d.disposed)));
    s.bind(3, d.json);
    s.exec();
  });
}

std::vector<UnitSample> HistoryStore::series(const std::string& unit, TimePoint from, TimePoint to,
                                             std::size_t max_points) const {
  std::vector<UnitSample> rows;
  const auto b = buckets(db_->db, "SELECT MIN(t_ms), MAX(t_ms) FROM unit_samples WHERE unit_id = ? AND t_ms BETWEEN ? AND ?",
                         &unit, ms_of(from), ms_of(to), max_points);
  if (!b) return rows;
  SQLite::Statement q{db_->db,
                      "SELECT MIN(t_ms), rsoc, vg, ig, wg, vb, ib, wb, pv, load, mode FROM unit_samples "
                      "WHERE unit_id = ? AND t_ms BETWEEN ? AND ? GROUP BY (t_ms - ?) / ? ORDER BY 1"};
  q.bind(1, unit);
  q.bind(2, static_cast<std::int64_t>(ms_of(from)));
  q.bind(3, static_cast<std::int64_t>(ms_of(to)));
  q.bind(4, b->first);
  q.bind(5, b->width);
  while (q.executeStep()) {
    UnitSample s;
    s.unit_id = unit;
    s.time = time_of(q.getColumn(0).getInt64());
    double* fields[] = {&s.rsoc_pct, &s.vg_v, &s.ig_a, &s.wg_w, &s.vb_v, &s.ib_a, &s.wb_w, &s.pv_w, &s.load_w};
    for (int i = 0; i < 9; ++i) *fields[i] = q.getColumn(i + 1).getDouble();
    s.mode = q.getColumn(10).getString();
    rows.push_back(std::move(s));
  }
  return rows;
}

std::vector<TotalsSample> HistoryStore::totals(TimePoint from, TimePoint to, std::size_t max_points) const {
  std::vector<TotalsSample> rows;
  const auto b = buckets(db_->db, "SELECT MIN(t_ms), MAX(t_ms) FROM totals WHERE t_ms BETWEEN ? AND ?", nullptr, ms_of(from),
                         ms_of(to), max_points);
  if (!b) return rows;
  SQLite::Statement q{db_->db,
                      "SELECT MIN(t_ms), self_sufficiency, shared_wh, import_wh, export_wh, pv_wh, load_wh, bus_v, "
                      "active_deals FROM totals WHERE t_ms BETWEEN ? AND ? GROUP BY (t_ms - ?) / ? ORDER BY 1"};
  q.bind(1, static_cast<std::int64_t>(ms_of(from)));
  q.bind(2, static_cast<std::int64_t>(ms_of(to)));
  q.bind(3, b->first);
  q.bind(4, b->width);
  while (q.executeStep()) {
    TotalsSample t;
    t.time = time_of(q.getColumn(0).getInt64());
    double* fields[] = {&t.self_sufficiency, &t.shared_wh, &t.import_wh, &t.export_wh, &t.pv_wh, &t.load_wh, &t.bus_voltage_v};
    for (int i = 0; i < 7; ++i) *fields[i] = q.getColumn(i + 1).getDouble();
    t.active_deals = q.getColumn(8).getInt();
    rows.push_back(t);
  }
  return rows;
}

std::vector<StoredDeal> HistoryStore::deals(std::size_t offset, std::size_t limit) const {
  SQLite::Statement q{db_->db, "SELECT deal_id, disposed_ms, json FROM deals ORDER BY disposed_ms DESC, deal_id LIMIT ? OFFSET ?"};
  q.bind(1, static_cast<std::int64_t>(limit));
  q.bind(2, static_cast<std::int64_t>(offset));
  std::vector<StoredDeal> rows;
  while (q.executeStep()) rows.push_back({q.getColumn(0).getString(), time_of(q.getColumn(1).getInt64()), q.getColumn(2).getString()});
  return rows;
}

std::size_t HistoryStore::deal_count() const {
  return static_cast<std::size_t>(db_->db.execAndGet("SELECT COUNT(*) FROM deals").getInt64());
}

std::optional<TimePoint> HistoryStore::last_time() const {
  SQLite::Statement q{db_->db, "SELECT MAX(t_ms) FROM totals"};
  if (!q.executeStep() || q.getColumn(0).isNull()) return std::nullopt;
  return time_of(q.getColumn(0).getInt64());
}

std::optional<double> HistoryStore::last_rsoc(const std::string& unit) const {
  SQLite::Statement q{db_->db, "SELECT rsoc FROM unit_samples WHERE unit_id = ? ORDER BY t_ms DESC LIMIT 1"};
  q.bind(1, unit);
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getDouble();
}

std::string series_csv(const std::vector<UnitSample>& samples, Duration utc_offset) {
  std::string out = "time,unit,rsoc,vg,ig,wg,vb,ib,wb,pv,load,mode\n";
  for (const UnitSample& s : samples) {
    out += fmt::format("{},{},{:.2f},{:.3f},{:.4f},{:.2f},{:.3f},{:.4f},{:.2f},{:.2f},{:.2f},{}\n",
                       format_apis_time(s.time, utc_offset), s.unit_id, s.rsoc_pct, s.vg_v, s.ig_a, s.wg_w, s.vb_v,
                       s.ib_a, s.wb_w, s.pv_w, s.load_w, s.mode);
  }
  return out;
}

std::string deals_csv(const std::vector<StoredDeal>& deals, Duration utc_offset) {
  // The JSON column is quoted per RFC 4180 (inner quotes doubled).
  std::string out = "disposed,dealId,json\n";
  for (const StoredDeal& d : deals) {
    std::string quoted;
    for (char c : d.json) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    out += fmt::format("{},{},\"{}\"\n", format_apis_time(d.disposed, utc_offset), d.deal_id, quoted);
  }
  return out;
}

}  // namespace wattshare
