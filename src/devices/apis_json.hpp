// UnitData in APIS's JSON shapes (reference §2.6, §8): the dcdc_batt_comm objects (status, meter,
// vdis, param, battery, the flat /all/get), and the apis-emulator unit JSON of /get/unit/<id>.
// Field names, units, signs and mode strings exactly as APIS's drivers write them.
//   std::string body = all_get_json(data).dump();
#pragma once

#include <string>

#include "core/json_file.hpp"
#include "devices/unit_data.hpp"

namespace wattshare {

Json dcdc_status_json(const UnitData& d);
Json dcdc_meter_json(const UnitData& d);
Json dcdc_vdis_json(const UnitData& d);
Json dcdc_param_json(const UnitData& d);
Json battery_json(const UnitData& d);

// /dcdc/get and a set-mode answer: status + meter + vdis + param.
Json dcdc_full_json(const UnitData& d);
// /all/get of apis-dcdc_batt_comm: the flat form {rsoc, battery_operation_status, meter, param,
// status, vdis}.
Json all_get_json(const UnitData& d);

struct UnitIdentity {
  std::string unit_id;
  std::string community_id;
  std::string cluster_id;
  double utc_offset_h = 9;
  double battery_capacity_wh = 4800;
  double pv_w = 0;      // present PV power
  double load_w = 0;    // present house load
};

// /get/unit/<id> of apis-emulator: {emu, dcdc{status, powermeter, meter, vdis, param}, oesunit,
// time}; apis-main (dcdc_emulator) reads emu.rsoc from it.
Json emulator_unit_json(const UnitData& d, const UnitIdentity& who);

std::string alarm_bits_text(std::uint16_t bits);  // "0000 0000 0001" style

}  // namespace wattshare
