// The operator API end to end (minus the socket): each input line is "METHOD target body", with
// and without the token, against a two-house community trading in virtual time. Every answer
// must be a JSON 2xx/4xx (or the CSV and metrics texts); the engine must keep its invariants.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "api/api_service.hpp"
#include "api/history_recorder.hpp"
#include "core/sim_scheduler.hpp"
#include "fuzz_lines.hpp"

namespace {

wattshare::CommunitySpec spec() {
  using namespace wattshare;
  auto loaded = load_community(std::string(WATTSHARE_SOURCE_DIR) + "/examples/apis-sample");
  if (!loaded) std::abort();
  CommunitySpec c = *loaded;
  c.units.resize(2);
  for (auto& u : c.units) {
    u.pv.hourly_csv.clear();  // the clear-sky model: no file to read for every input
    u.pv.kwp = 3;
    u.apis.policy.member_unit_ids = {c.units[0].id, c.units[1].id};
    u.apis.policy.safety.topology_enabled = false;
    u.apis.policy.safety.branches.clear();
    u.bus_parent.clear();
  }
  c.units[0].battery.initial_rsoc_pct = 95;
  c.units[1].battery.initial_rsoc_pct = 30;
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wattshare;
  static const CommunitySpec kSpec = spec();
  Community community{kSpec};
  SimScheduler scheduler{kSpec.start};
  SharingEngine engine{community, scheduler, kSpec};
  auto store = HistoryStore::open(":memory:").value();
  EngineSharingView sharing{engine, hours(9)};
  HistoryRecorder recorder{community, sharing, *store, scheduler, minutes(1)};
  recorder.start();
  engine.start(OperationMode::kAutonomous);
  ApiService api{{community, sharing, *store, scheduler, nullptr, "0123456789abcdef", hours(9)}};
  fuzz::for_each_line(data, size, 16, [&](const std::string& line, std::size_t n) {
    const auto sp1 = line.find(' ');
    const std::string method = sp1 == std::string::npos ? "GET" : line.substr(0, sp1);
    const std::string rest = sp1 == std::string::npos ? line : line.substr(sp1 + 1);
    const auto sp2 = rest.find(' ');
    const std::string target = rest.substr(0, sp2);
    const std::string body = sp2 == std::string::npos ? "" : rest.substr(sp2 + 1);
    // Every other request carries the token.
    const HttpResponse r = api.handle({method, target, body, n % 2 == 0 ? "Bearer 0123456789abcdef" : ""});
    if (r.status < 200 || r.status >= 500) std::abort();
    scheduler.run_for(seconds(30));
  });
  if (engine.invariants().count() != 0) std::abort();
  engine.shutdown(&scheduler);
  return 0;
}
