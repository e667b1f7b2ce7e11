// An APIS device driver's JSON (reference apis.md §2.6) read into UnitData; pure.
#pragma once

#include <tl/expected.hpp>

#include "core/error.hpp"
#include "core/json_file.hpp"
#include "devices/unit_data.hpp"

namespace wattshare::cluster {

// A driver's JSON as UnitData: the DC/DC object (status, meter, vdis, param; a setter may answer
// only some of them) at the top level or under "dcdc", the battery's rsoc and permission at the top level or under "emu"/"battery".
// Fields a set reply leaves out come from `base`.
tl::expected<UnitData, Error> unit_data_from_driver_json(const Json& j, const UnitData& base, TimePoint now);

}  // namespace wattshare::cluster
