#include "api/history_query.hpp"

#include "core/apis_time.hpp"
#include "core/json_file.hpp"

namespace wattshare {

HttpResponse HistoryQuery::run(const HistoryStore& store) const {
  switch (kind) {
    case Kind::kDealsCsv:
      return text_response(deals_csv(store.deals(0, store.deal_count()), utc_offset), "text/csv");
    case Kind::kTotalsSeries: {
      Json rows = Json::array();
      for (const TotalsSample& s : store.totals(from, to, points)) {
        rows.push_back(Json{{"time", format_apis_time(s.time, utc_offset)}, {"t_ms", s.time.time_since_epoch().count()},
                            {"self_sufficiency", s.self_sufficiency}, {"shared_wh", round2(s.shared_wh)},
                            {"import_wh", round2(s.import_wh)}, {"export_wh", round2(s.export_wh)},
                            {"bus_voltage_v", round2(s.bus_voltage_v)}, {"active_deals", s.active_deals}});
      }
      return json_response(200, dump_json(Json{{"samples", std::move(rows)}}));
    }
    case Kind::kUnitSeries: {
      const auto samples = store.series(unit, from, to, points);
      if (csv) return text_response(series_csv(samples, utc_offset), "text/csv");
      Json rows = Json::array();
      for (const UnitSample& s : samples) {
        rows.push_back(Json{{"time", format_apis_time(s.time, utc_offset)}, {"t_ms", s.time.time_since_epoch().count()},
                            {"rsoc", round2(s.rsoc_pct)}, {"vg", round2(s.vg_v)}, {"ig", s.ig_a}, {"wg", round2(s.wg_w)},
                            {"vb", round2(s.vb_v)}, {"ib", s.ib_a}, {"wb", round2(s.wb_w)}, {"pv", round2(s.pv_w)},
                            {"load", round2(s.load_w)}, {"mode", s.mode}});
      }
      return json_response(200, dump_json(Json{{"unit", unit}, {"samples", std::move(rows)}}));
    }
  }
  return json_response(500, R"({"error":"unknown history query"})");
}

}  // namespace wattshare
