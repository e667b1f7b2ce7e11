// What nodes exchange through etcd, as JSON: deals (every field, losslessly: the deal table is
// the grid master's only state, so a new grid master must read back exactly what the old one
// wrote), offers, device commands and unit data. Times are milliseconds since the epoch.
// Anything can be written into etcd: the readers check and return an error naming the problem.
#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "core/error.hpp"
#include "core/json_file.hpp"
#include "engine/deal.hpp"
#include "engine/device_controller.hpp"
#include "engine/negotiation_rules.hpp"

namespace wattshare::cluster {

Json to_wire(const Deal& d);
Json to_wire(const Offer& o);
Json to_wire(const ControlCommand& c);
Json to_wire(const UnitData& u);

tl::expected<Deal, Error> deal_from_wire(const Json& j);
tl::expected<Offer, Error> offer_from_wire(const Json& j);
tl::expected<ControlCommand, Error> command_from_wire(const Json& j);
tl::expected<UnitData, Error> unit_data_from_wire(const Json& j);

}  // namespace wattshare::cluster
