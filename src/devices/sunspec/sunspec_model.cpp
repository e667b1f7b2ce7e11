#include "devices/sunspec/sunspec_model.hpp"

#include <bit>
#include <cmath>

#include <fmt/format.h>

namespace wattshare::sunspec {
namespace {

std::string text_of(std::span<const std::uint16_t> words) {
  std::string s;
  for (const std::uint16_t w : words) {
    for (const char c : {static_cast<char>(w >> 8), static_cast<char>(w & 0xFF)}) {
      if (c == '\0') return s;
      s.push_back(c >= 0x20 && c < 0x7F ? c : '?');
    }
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

}  // namespace

std::optional<double> float32(std::uint16_t high, std::uint16_t low) {
  const std::uint32_t bits = (static_cast<std::uint32_t>(high) << 16) | low;
  const auto v = static_cast<double>(std::bit_cast<float>(bits));
  return std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
}

std::optional<double> scaled(std::uint16_t raw, std::uint16_t sf) {
  const auto v = static_cast<std::int16_t>(raw);
  const auto f = static_cast<std::int16_t>(sf);
  if (raw == 0x8000 || sf == 0x8000 || f < -10 || f > 10) return std::nullopt;
  return v * std::pow(10.0, f);
}

tl::expected<SunSpecReading, Error> parse_sunspec(std::span<const std::uint16_t> regs, std::uint32_t base) {
  auto bad = [&](std::string what) {
    return tl::make_unexpected(Error::bad_input(fmt::format("SunSpec map at {}: {}", base, what)));
  };
  if (regs.size() < 4) return bad("fewer than 4 registers");
  if (regs[0] != kMarkerHi || regs[1] != kMarkerLo) {
    return bad(fmt::format("no \"SunS\" marker (found {:04x} {:04x})", regs[0], regs[1]));
  }
  SunSpecReading r;
  r.base = base;
  std::size_t at = 2;
  for (int guard = 0; guard < 32; ++guard) {
    if (at >= regs.size()) return bad(fmt::format("the model chain runs past register {}", base + regs.size()));
    const std::uint16_t id = regs[at];
    if (id == kEndOfChain) break;
    if (at + 1 >= regs.size()) return bad(fmt::format("model {} at {} has no length", id, base + at));
    const std::uint16_t len = regs[at + 1];
    if (at + 2 + len > regs.size()) {
      return bad(fmt::format("model {} at {} is {} registers long, past the end of the map", id, base + at, len));
    }
    const auto block = regs.subspan(at + 2, len);  // the model's registers after [id, length]
    r.models.push_back({id, len, static_cast<std::uint32_t>(base + at)});
    if (id == 1 && len >= 64 && r.models.size() == 1) {  // the device's own; later ones describe meters
      r.manufacturer = text_of(block.subspan(0, 16));
      r.model = text_of(block.subspan(16, 16));
      r.serial = text_of(block.subspan(48, 16));
    } else if (id >= 101 && id <= 103 && len >= 38) {
      // Offsets from the model id register: W at +14, W_SF at +15, St at +38 (SolarEdge map).
      r.inverter_model = id;
      r.inverter_power_w = scaled(block[12], block[13]);
      if (block[36] != 0xFFFF) r.inverter_status = block[36];
    } else if (id >= 211 && id <= 214 && len >= 28) {
      // The float meters (Fronius, SMA): W, a float32 high word first, 26 registers into the block;
      // NaN means not implemented.
      r.meter_models.push_back(id);
      r.meter_powers_w.push_back(float32(block[26], block[27]));
      if (r.meter_models.size() == 1) r.meter_power_w = r.meter_powers_w.front();
    } else if (id == 802 && len >= 62) {
      r.battery_soc_pct = scaled(block[9], block[54]);
      r.battery_w = scaled(block[45], block[61]);
    } else if (id >= 201 && id <= 204 && len >= 21) {
      r.meter_models.push_back(id);
      // Total W at +18, W_SF at +22 from the model id register.
      r.meter_powers_w.push_back(scaled(block[16], block[20]));
      if (r.meter_models.size() == 1) r.meter_power_w = r.meter_powers_w.front();
    }
    at += 2 + len;
  }
  if (!r.inverter_model && r.meter_models.empty() && !r.battery_soc_pct) {
    return bad("neither an inverter (101–103), a meter (201–204, 211–214) nor a battery (802) model");
  }
  return r;
}

}  // namespace wattshare::sunspec
