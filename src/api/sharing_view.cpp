#include "api/sharing_view.hpp"

namespace wattshare {

AgentView EngineSharingView::agent(std::size_t unit) const {
  const UnitAgent& a = engine_.agent(unit);
  AgentView v;
  v.online = a.running();
  v.effective_mode = a.effective_mode();
  v.local_mode = a.local_mode();
  v.grid_master = a.hosts_grid_master();
  for (const ApisError& e : a.recent_errors()) v.errors.push_back(format_apis_error(e));
  v.data = a.data();
  return v;
}

tl::expected<void, Error> EngineSharingView::set_global_mode(OperationMode m) {
  engine_.fabric().set_global_mode(m);
  return {};
}

tl::expected<void, Error> EngineSharingView::set_local_mode(std::size_t unit, std::optional<OperationMode> m) {
  return engine_.agent(unit).set_local_mode(m);
}

void EngineSharingView::on_deal_record(DealRecordSink sink) {
  engine_.on_deal_log([this, sink = std::move(sink)](const Deal& d) { sink(d.deal_id, deal_json(d, utc_offset_)); });
}

}  // namespace wattshare
