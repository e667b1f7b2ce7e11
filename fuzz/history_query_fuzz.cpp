// The history store's queries as the API asks them: rows from the input (units, times, values),
// then reads with any unit, window and number of points. Answers must be in time order, within
// the window and never more than the points asked.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "store/history_store.hpp"

namespace {

template <typename T>
T take(const std::uint8_t*& p, const std::uint8_t* end) {
  T v{};
  const std::size_t n = std::min<std::size_t>(sizeof v, static_cast<std::size_t>(end - p));
  std::memcpy(&v, p, n);
  p += n;
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wattshare;
  auto store = HistoryStore::open(":memory:").value();
  const std::uint8_t* p = data;
  const std::uint8_t* end = data + size;
  const TimePoint t0 = from_civil(2021, 6, 1);
  const char* units[] = {"E001", "E002", "", "E\xff"};
  const int rows = take<std::uint8_t>(p, end);
  for (int i = 0; i < rows && p < end; ++i) {
    UnitSample s;
    s.unit_id = units[take<std::uint8_t>(p, end) % 4];
    s.time = t0 + milliseconds(take<std::int32_t>(p, end));
    s.rsoc_pct = take<double>(p, end);
    s.mode = "0x0000";
    TotalsSample t;
    t.time = s.time;
    t.self_sufficiency = take<float>(p, end);
    (void)store->add({s}, t);
    if (i % 7 == 0) (void)store->add_deal({"d" + std::to_string(i), s.time, "{\"x\":" + std::to_string(i) + "}"});
  }
  while (p < end) {
    const std::string unit = units[take<std::uint8_t>(p, end) % 4];
    const TimePoint from = t0 + milliseconds(take<std::int64_t>(p, end) % (400LL * 86400000));
    const TimePoint to = from + milliseconds(std::abs(take<std::int64_t>(p, end) % (400LL * 86400000)));
    const std::size_t points = take<std::uint16_t>(p, end) % 10001;
    const auto series = store->series(unit, from, to, points);
    if (points > 0 && series.size() > points) std::abort();
    for (std::size_t i = 0; i < series.size(); ++i) {
      if (series[i].time < from || series[i].time > to) std::abort();
      if (i > 0 && series[i].time <= series[i - 1].time) std::abort();
    }
    const auto totals = store->totals(from, to, points);
    if (points > 0 && totals.size() > points) std::abort();
    (void)store->deals(take<std::uint16_t>(p, end), take<std::uint8_t>(p, end));
  }
  return 0;
}
