// What anyone able to write into etcd can send a node: watch events under its cluster's prefix
// (members, grid master, mode, local modes, interlocks, outboxes, broadcasts, deal logs), each
// input line one event: "P <key> <value>" or "D <key>". The node's handlers must skip what they
// cannot read and never crash; its etcd is unreachable here, so every answer it tries fails.
#include <cstddef>
#include <cstdint>
#include <string>

#include "cluster/etcd_fabric.hpp"
#include "core/sim_scheduler.hpp"
#include "fuzz_lines.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wattshare;
  using namespace wattshare::cluster;
  static const Policy policy = [] {
    Policy p;
    p.member_unit_ids = {"E001", "E002", "E003"};
    return p;
  }();
  SimScheduler scheduler{from_civil(2021, 6, 1)};
  EtcdFabricOptions o;
  o.etcd = {"127.0.0.1", 1, std::nullopt, std::nullopt};  // nothing listens: calls fail at once
  o.cluster = "c";
  o.unit_id = "E002";
  auto fabric = EtcdFabric::unjoined(o, policy, scheduler, [](std::function<void()> f) { f(); });
  std::vector<WatchEvent> events;
  std::int64_t revision = 1;
  fuzz::for_each_line(data, size, 32, [&](const std::string& line, std::size_t) {
    if (line.size() < 2) return;
    const bool put = line[0] != 'D';
    const std::string rest = line.substr(2);
    const auto space = rest.find(' ');
    WatchEvent ev;
    ev.type = put ? WatchEvent::Type::kPut : WatchEvent::Type::kDelete;
    ev.kv.key = "/wattshare/c/" + rest.substr(0, space);
    ev.kv.value = space == std::string::npos ? "" : rest.substr(space + 1);
    ev.kv.create_revision = ev.kv.mod_revision = ++revision;
    events.push_back(std::move(ev));
  });
  fabric->replay(std::move(events));
  (void)fabric->members();
  (void)fabric->market_epoch();
  (void)fabric->global_mode();
  return 0;
}
