#include "store/charging_session_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

namespace wattshare {

struct ChargingSessionStore::Db {
  explicit Db(const std::string& path) : db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE) { db.setBusyTimeout(2000); }
  SQLite::Database db;
};

namespace {

constexpr const char* kSchema = R"sql(
PRAGMA journal_mode = WAL;
CREATE TABLE IF NOT EXISTS charging_sessions (
  id INTEGER PRIMARY KEY AUTOINCREMENT, start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL,
  energy_wh REAL NOT NULL, solar_wh REAL NOT NULL, cost REAL, currency TEXT);
)sql";

std::int64_t ms_of(TimePoint t) { return t.time_since_epoch().count(); }

tl::unexpected<Error> failed(const char* what, const std::exception& e) {
  return tl::make_unexpected(Error::internal(fmt::format("charging sessions: {}: {}", what, e.what())));
}

}  // namespace

ChargingSessionStore::ChargingSessionStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}
ChargingSessionStore::~ChargingSessionStore() = default;

tl::expected<std::unique_ptr<ChargingSessionStore>, Error> ChargingSessionStore::open(const std::string& path) {
  try {
    auto db = std::make_unique<Db>(path);
    db->db.exec(kSchema);
    return std::unique_ptr<ChargingSessionStore>(new ChargingSessionStore(std::move(db)));
  } catch (const std::exception& e) {
    return tl::make_unexpected(Error::not_available(fmt::format("charging sessions {}: {}", path, e.what())));
  }
}

tl::expected<void, Error> ChargingSessionStore::add(const surplus::ChargingSession& s) {
  try {
    SQLite::Statement q{db_->db, "INSERT INTO charging_sessions (start_ms, end_ms, energy_wh, solar_wh, cost, currency) "
                                 "VALUES (?,?,?,?,?,?)"};
    q.bind(1, ms_of(s.start));
    q.bind(2, ms_of(s.end));
    q.bind(3, s.energy_wh);
    q.bind(4, s.solar_wh);
    if (s.cost) {
      q.bind(5, *s.cost);
      q.bind(6, s.currency);
    }
    q.exec();
    return {};
  } catch (const std::exception& e) {
    return failed("add", e);
  }
}

tl::expected<std::vector<surplus::ChargingSession>, Error> ChargingSessionStore::latest(std::size_t limit) const {
  try {
    std::vector<surplus::ChargingSession> out;
    SQLite::Statement q{db_->db, "SELECT start_ms, end_ms, energy_wh, solar_wh, cost, currency FROM charging_sessions "
                                 "ORDER BY id DESC LIMIT ?"};
    q.bind(1, static_cast<std::int64_t>(limit));
    while (q.executeStep()) {
      surplus::ChargingSession s{.start = TimePoint{Duration{q.getColumn(0).getInt64()}},
                                 .end = TimePoint{Duration{q.getColumn(1).getInt64()}},
                                 .energy_wh = q.getColumn(2).getDouble(),
                                 .solar_wh = q.getColumn(3).getDouble()};
      if (!q.getColumn(4).isNull()) {
        s.cost = q.getColumn(4).getDouble();
        s.currency = q.getColumn(5).getString();
      }
      out.push_back(std::move(s));
    }
    return out;
  } catch (const std::exception& e) {
    return failed("read", e);
  }
}

}  // namespace wattshare
