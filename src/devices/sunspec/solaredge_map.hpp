// The register map a SolarEdge inverter with a grid meter serves from 40000 (reference
// pv-surplus.md §5.2): "SunS", the common model, a three-phase inverter (103), the meter's common
// model at 40121 and an import/export meter (203) at 40188, then the end marker. Used by the
// SunSpec server of `wattshare sunspec-sim` and by tests.
//   auto regs = solaredge_registers({.inverter_power_w = 3200, .meter_power_w = 1800});
#pragma once

#include <cstdint>
#include <vector>

namespace wattshare::sunspec {

struct SiteValues {
  double inverter_power_w = 0;  // AC production
  double meter_power_w = 0;     // at the grid connection, export positive (SolarEdge's sign)
  std::uint16_t inverter_status = 4;  // producing
};

inline constexpr std::uint32_t kSolarEdgeBase = 40000;
inline constexpr std::uint32_t kSolarEdgeMapSize = 40188 + 2 + 105 + 1 - 40000;  // through the end marker

std::vector<std::uint16_t> solaredge_registers(const SiteValues& v);

}  // namespace wattshare::sunspec
