// What nodes exchange through etcd, as JSON: deals (every field, losslessly: the deal table is
// the grid master's only state, so a new grid master must read back exactly what the old one
// wrote), offers, device commands, unit data and members' records. Times are milliseconds since
// the epoch.
// Anything can be written into etcd: the readers check and return an error naming the problem.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "core/error.hpp"
#include "core/json_file.hpp"
#include "engine/deal.hpp"
#include "engine/device_controller.hpp"
#include "engine/negotiation_rules.hpp"

namespace wattshare::cluster {

// A member's record under members/<unit>, as its node publishes it on its lease: read by the
// other nodes (errors, capacity, market, data for the grid master), by the dashboard's view and
// by `wattshare cluster status`.
struct MemberRecord {
  std::optional<long long> pid;
  int capacity = 1;
  bool errors = false;
  std::uint64_t rejected_commands = 0;
  std::uint64_t market = 0;                     // how many times the unit could newly take a request
  std::optional<OperationMode> effective_mode;  // absent before the agent runs
  std::optional<OperationMode> local_mode;
  std::vector<std::string> recent_errors;       // APIS's one-line form
  std::optional<UnitData> data;                 // its last acquisition (left out if unreadable)
};

Json to_wire(const Deal& d);
Json to_wire(const MemberRecord& m);
Json to_wire(const Offer& o);
Json to_wire(const ControlCommand& c);
Json to_wire(const UnitData& u);

tl::expected<Deal, Error> deal_from_wire(const Json& j);
tl::expected<Offer, Error> offer_from_wire(const Json& j);
tl::expected<ControlCommand, Error> command_from_wire(const Json& j);
tl::expected<UnitData, Error> unit_data_from_wire(const Json& j);
// Counts and flags of the wrong type are an error; modes, error lines and data that cannot be
// read are left out (a dashboard still shows the rest).
tl::expected<MemberRecord, Error> member_from_wire(const Json& j);

}  // namespace wattshare::cluster
