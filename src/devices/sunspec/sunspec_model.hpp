// SunSpec register maps as SolarEdge inverters serve them (reference pv-surplus.md §5): the "SunS"
// marker at a base address, then a chain of [model id, length] blocks — the common model (1),
// an inverter (101/102/103), up to three meters (integer 201–204, float 211–214) and a battery
// (802: SoC at +9, W at +45, their SFs at +54 and +61 into the block) — ended by
// 0xFFFF. Values are int16 × 10^SF; 0x8000 (int16), 0xFFFF (uint16) and an SF of 0x8000 mean "not
// implemented"; the float models' float32 (high word first) is NaN when not implemented.
// Pure: the caller reads registers; parse_sunspec walks the chain instead of trusting offsets.
//   auto r = parse_sunspec(regs, 40000);  if (r) use(r->inverter_power_w);
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "core/error.hpp"

namespace wattshare::sunspec {

inline constexpr std::uint16_t kMarkerHi = 0x5375, kMarkerLo = 0x6E53;  // "SunS"
inline constexpr std::uint16_t kEndOfChain = 0xFFFF;

struct ModelBlock {
  std::uint16_t id = 0;
  std::uint16_t length = 0;
  std::uint32_t address = 0;  // of the id register (base 0)
};

struct SunSpecReading {
  std::uint32_t base = 40000;
  std::string manufacturer, model, serial;
  std::vector<ModelBlock> models;
  std::optional<std::uint16_t> inverter_model;  // 101, 102 or 103
  std::optional<double> inverter_power_w;       // AC, > 0 producing
  std::optional<std::uint16_t> inverter_status; // 1 off … 4 producing … 7 fault
  std::vector<std::uint16_t> meter_models;      // 201–204 and 211–214, in chain order
  std::optional<double> meter_power_w;          // meter 1 total, as the device signs it
  std::vector<std::optional<double>> meter_powers_w;  // every meter's total, in chain order
  // A battery base model (802): its state of charge (%) and power, as the device signs it
  // (SunSpec: positive discharging).
  std::optional<double> battery_soc_pct, battery_w;
};

// `regs` holds registers from `base` on (at least through the end marker).
[[nodiscard]] tl::expected<SunSpecReading, Error> parse_sunspec(std::span<const std::uint16_t> regs,
                                                                std::uint32_t base);

// A float32 from two registers, high word first (SunSpec's order), or nullopt for NaN or infinity.
std::optional<double> float32(std::uint16_t high, std::uint16_t low);

// value × 10^sf, or nullopt for "not implemented" or a nonsense scale factor (|sf| > 10).
std::optional<double> scaled(std::uint16_t raw, std::uint16_t sf);

}  // namespace wattshare::sunspec
