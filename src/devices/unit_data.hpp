// One snapshot of a unit as APIS sees it (reference §4.1): the DC/DC converter's status,
// measurements (meter), voltage set-points (vdis) and parameters (param), the battery's RSoC and
// permission, and the time of the reading. Plain numbers in SI units; APIS JSON lives in
// apis_json.hpp.
//   UnitData d = dcdc.read().value();  if (d.mode == DcdcMode::kWait) ...
#pragma once

#include <cstdint>
#include <optional>

#include "core/time.hpp"
#include "physics/battery.hpp"
#include "physics/dcdc_converter.hpp"

namespace wattshare {

struct DcdcParamValues {
  double dig_a = 0;
  double ogv_v = 400, ugv_v = 300;
  double obv_v = 59, ubv_v = 40;
  double cib_a = 52;
};

struct UnitData {
  DcdcMode mode = DcdcMode::kWait;
  AlarmLevel alarm = AlarmLevel::kNone;
  std::uint16_t alarm_bits = 0;
  DcdcMeasurement meter;          // vg ig wg vb ib wb tmp
  double dvg_v = 0;               // vdis.dvg
  double drg = 0;                 // vdis.drg
  DcdcParamValues param;          // param.dig and the driver limits
  double rsoc_pct = 0;            // battery.rsoc
  std::optional<BatteryPermission> battery_status;  // absent for apis-emulator style drivers
  // Beyond APIS: the converter's battery-side energy meter, ∫wb dt in Wh, where the device has
  // one. Deals then credit metered energy instead of one power sample per main loop.
  std::optional<double> wb_energy_wh;
  TimePoint time;
};

// A set request as APIS sends it: any of the four may be omitted.
struct DcdcCommand {
  std::optional<DcdcMode> mode;
  std::optional<double> dvg_v;
  std::optional<double> dig_a;
  std::optional<double> drg;
};

}  // namespace wattshare
