// Any bytes as what a node reads from outside: an etcd watch line, a gateway reply, a deal, a
// device command, unit data or an offer from the store, an APIS driver's JSON, base64 text. An
// error or a value, never a crash; a deal that parses re-encodes to what it decoded.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cluster/driver_json.hpp"
#include "cluster/etcd_client.hpp"
#include "cluster/wire.hpp"
#include "core/base64.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wattshare;
  using namespace wattshare::cluster;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)parse_watch_message(text);
  (void)base64_decode(text);
  auto doc = parse_json_text(text, "fuzz");
  if (!doc) return 0;
  (void)parse_range(*doc);
  (void)parse_txn(*doc);
  (void)unit_data_from_driver_json(*doc, UnitData{}, TimePoint{});
  (void)command_from_wire(*doc);
  (void)unit_data_from_wire(*doc);
  (void)offer_from_wire(*doc);
  if (auto m = member_from_wire(*doc)) {
    auto again = member_from_wire(to_wire(*m));
    if (!again || again->market != m->market || again->capacity != m->capacity) __builtin_trap();
  }
  if (auto d = deal_from_wire(*doc)) {
    auto again = deal_from_wire(to_wire(*d));
    if (!again || to_wire(*again) != to_wire(*d)) __builtin_trap();
  }
  return 0;
}
