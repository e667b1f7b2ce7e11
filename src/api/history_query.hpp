// A read of the history (a unit's series, the totals' series, every deal as CSV), prepared on the
// API's thread (parameters checked, "now" resolved) and answered on any thread with any store
// connection: the demo runs it on a thread of its own with a second connection, so a year of
// history never holds up the engine, which shares the API's thread.
//   HistoryQuery q = ...;  HttpResponse r = q.run(reader_store);
#pragma once

#include <cmath>
#include <cstddef>
#include <string>

#include "core/http_message.hpp"
#include "core/time.hpp"
#include "store/history_store.hpp"

namespace wattshare {

// Watts, volts and Wh to the hundredth, as the API shows them.
inline double round2(double v) { return std::round(v * 100.0) / 100.0; }

struct HistoryQuery {
  enum class Kind { kUnitSeries, kTotalsSeries, kDealsCsv } kind = Kind::kUnitSeries;
  std::string unit;  // kUnitSeries
  bool csv = false;  // kUnitSeries: CSV instead of JSON
  TimePoint from{}, to{};
  std::size_t points = 500;  // at most this many rows, thinned in SQL
  Duration utc_offset{};

  // The longest span one query may ask for, and the most points.
  static constexpr Duration kMaxSpan = hours(24 * 400);
  static constexpr std::size_t kMaxPoints = 10000;

  [[nodiscard]] HttpResponse run(const HistoryStore& store) const;
};

}  // namespace wattshare
