#include "devices/sunspec/solaredge_map.hpp"

#include <cmath>
#include <string_view>

#include "devices/sunspec/sunspec_model.hpp"

namespace wattshare::sunspec {
namespace {

void put_text(std::vector<std::uint16_t>& r, std::size_t at, std::string_view s, std::size_t words) {
  for (std::size_t i = 0; i < words; ++i) {
    const char a = 2 * i < s.size() ? s[2 * i] : '\0';
    const char b = 2 * i + 1 < s.size() ? s[2 * i + 1] : '\0';
    r[at + i] = static_cast<std::uint16_t>((static_cast<unsigned char>(a) << 8) | static_cast<unsigned char>(b));
  }
}

// The value as int16 with the smallest scale factor that fits it.
std::pair<std::uint16_t, std::uint16_t> encode_scaled(double v) {
  int sf = 0;
  while (std::abs(v / std::pow(10.0, sf)) > 32767 && sf < 4) ++sf;
  const auto raw = static_cast<std::int16_t>(std::lround(v / std::pow(10.0, sf)));
  return {static_cast<std::uint16_t>(raw), static_cast<std::uint16_t>(static_cast<std::int16_t>(sf))};
}

void common_model(std::vector<std::uint16_t>& r, std::size_t at, std::string_view model, std::string_view serial) {
  r[at] = 1;
  r[at + 1] = 65;
  put_text(r, at + 2, "SolarEdge", 16);
  put_text(r, at + 18, model, 16);
  put_text(r, at + 42, "0004.0019.0036", 8);
  put_text(r, at + 50, serial, 16);
  r[at + 66] = 1;  // device address
}

}  // namespace

std::vector<std::uint16_t> solaredge_registers(const SiteValues& v) {
  std::vector<std::uint16_t> r(kSolarEdgeMapSize, 0);
  r[0] = kMarkerHi;
  r[1] = kMarkerLo;
  common_model(r, 2, "SE5K-RW0TEBEN4", "7E1234AB");
  // Inverter, three-phase: id at 40069, length 50.
  const std::size_t inv = 69;
  r[inv] = 103;
  r[inv + 1] = 50;
  const auto [w, w_sf] = encode_scaled(v.inverter_power_w);
  r[inv + 14] = w;
  r[inv + 15] = w_sf;
  r[inv + 38] = v.inverter_status;
  // Meter 1: common model at 40121, meter model 203 at 40188 (length 105).
  common_model(r, 121, "WND-3Y-400-MB", "M0001");
  const std::size_t met = 188;
  r[met] = 203;
  r[met + 1] = 105;
  const auto [mw, mw_sf] = encode_scaled(v.meter_power_w);
  r[met + 18] = mw;
  r[met + 22] = mw_sf;
  r[met + 2 + 105] = kEndOfChain;
  return r;
}

}  // namespace wattshare::sunspec
