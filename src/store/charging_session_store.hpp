// The surplus daemon's charging sessions in SQLite (a file beside its token, or ":memory:"): one
// row per finished session, kept across restarts, newest first when read. SQLite stays inside
// this module.
//   auto store = ChargingSessionStore::open("wattshare-sessions.sqlite").value();
//   store->add(session);  auto last = store->latest(100);
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "core/error.hpp"
#include "surplus/charging_sessions.hpp"

namespace wattshare {

class ChargingSessionStore {
 public:
  [[nodiscard]] static tl::expected<std::unique_ptr<ChargingSessionStore>, Error> open(const std::string& path);
  ~ChargingSessionStore();
  ChargingSessionStore(const ChargingSessionStore&) = delete;
  ChargingSessionStore& operator=(const ChargingSessionStore&) = delete;

  [[nodiscard]] tl::expected<void, Error> add(const surplus::ChargingSession& s);
  // The newest `limit` sessions, newest first.
  [[nodiscard]] tl::expected<std::vector<surplus::ChargingSession>, Error> latest(std::size_t limit) const;

 private:
  struct Db;
  explicit ChargingSessionStore(std::unique_ptr<Db> db);
  std::unique_ptr<Db> db_;
};

}  // namespace wattshare
