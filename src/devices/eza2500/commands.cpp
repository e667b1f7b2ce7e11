#include "devices/eza2500/commands.hpp"

#include <array>

namespace wattshare::eza {
namespace {

// Ratings as exact fractions (§4.1).
constexpr FieldSpec q(std::string_view name, int q, std::int64_t num, std::int64_t den = 1,
                      bool is_signed = false) {
  return {FieldKind::kQ, QField{name, q, num, den, is_signed}};
}
constexpr FieldSpec raw(std::string_view name) { return {FieldKind::kRaw16, QField{name}}; }
constexpr FieldSpec byte(std::string_view name) { return {FieldKind::kByte, QField{name}}; }
constexpr FieldSpec s(std::string_view name, int qbits, std::int64_t num, std::int64_t den = 1) {
  return q(name, qbits, num, den, true);
}

constexpr FieldSpec kCvb = q("cvb", 14, 48), kDrb = q("drb", 13, 1);
constexpr FieldSpec kBatteryVolt14(std::string_view n) { return q(n, 14, 48); }

constexpr std::array kMode{raw("mode")};
constexpr std::array kStatus{raw("cst"), raw("ext")};
constexpr std::array kBatteryCv{kCvb, kDrb};
constexpr std::array kGridVoltage{q("dvg", 14, 380), q("drg", 13, 1)};
constexpr std::array kDeadZone{q("pdz", 14, 380), q("mdz", 14, 380)};
constexpr std::array kProtection{q("cib", 13, 5208, 100), q("dig", 13, 78125, 10000),
                                 kBatteryVolt14("ubv"),    q("ugv", 14, 380),
                                 kBatteryVolt14("obv"),    q("ogv", 14, 380)};
constexpr std::array kBatteryConfig{raw("bcf"), kCvb, kBatteryVolt14("dlb"), kBatteryVolt14("cdb"),
                                    kBatteryVolt14("ddb")};
constexpr std::array kRates{kBatteryVolt14("ccr"), kBatteryVolt14("ddr")};
constexpr std::array kAlarms{raw("alm1"), raw("alm2"), raw("alm3")};
constexpr std::array kClearAlarms{byte("d0"), byte("d1")};
constexpr std::array kMeasurements{s("vg", 14, 380),      s("ig", 13, 78125, 10000),
                                   s("vb", 14, 48),       s("ib", 13, 5208, 100),
                                   s("wg", 11, 2500),     s("wb", 11, 2500),
                                   raw("ic"),             s("tmp", 7, 1)};
constexpr std::array kAuxMeasurements{s("ts", 7, 1), s("tp", 7, 1), s("v5s", 10, 1), s("fan1", 0, 1),
                                      s("fan2", 0, 1), s("fan3", 0, 1), s("fan4", 0, 1), s("fan5", 0, 1)};
constexpr std::array kEightRaw{raw("r0"), raw("r1"), raw("r2"), raw("r3"),
                               raw("r4"), raw("r5"), raw("r6"), raw("r7")};
constexpr std::array kTenRaw{raw("vgn"), raw("vgnq"), raw("ign"), raw("ignq"), raw("vbn"),
                             raw("vbnq"), raw("ibn"), raw("ibnq"), raw("wn"), raw("wnq")};
constexpr std::array kVersion{byte("min"), byte("maj")};

template <std::size_t N>
constexpr CommandSpec read(std::string_view name, std::uint8_t code, const std::array<FieldSpec, N>& f,
                           std::uint8_t ack_len) {
  return {name, code, 0, ack_len, f};
}
template <std::size_t N>
constexpr CommandSpec write(std::string_view name, std::uint8_t code, const std::array<FieldSpec, N>& f,
                            std::uint8_t len) {
  return {name, code, len, len, f};
}

std::size_t width(const FieldSpec& f) { return f.kind == FieldKind::kByte ? 1 : 2; }

}  // namespace

const CommandSpec kCmd1_1 = read("1-1", 0x00, kMode, 2);
const CommandSpec kCmd1_4 = write("1-4", 0x00, kMode, 2);
const CommandSpec kCmd2_1 = read("2-1", 0x01, kStatus, 4);
const CommandSpec kCmd3_1 = read("3-1", 0x18, kBatteryCv, 4);
const CommandSpec kCmd3_4 = write("3-4", 0x18, kBatteryCv, 4);
const CommandSpec kCmd4_1 = read("4-1", 0x1A, kGridVoltage, 4);
const CommandSpec kCmd4_4 = write("4-4", 0x1A, kGridVoltage, 4);
const CommandSpec kCmd5_1 = read("5-1", 0x17, kDeadZone, 4);
const CommandSpec kCmd5_4 = write("5-4", 0x17, kDeadZone, 4);
const CommandSpec kCmd6_1 = read("6-1", 0x1C, kProtection, 12);
const CommandSpec kCmd6_4 = write("6-4", 0x1C, kProtection, 12);
const CommandSpec kCmd7_1 = read("7-1", 0x1D, kBatteryConfig, 10);
const CommandSpec kCmd7_4 = write("7-4", 0x1D, kBatteryConfig, 10);
const CommandSpec kCmd8_1 = read("8-1", 0x16, kRates, 4);
const CommandSpec kCmd8_4 = write("8-4", 0x16, kRates, 4);
const CommandSpec kCmd9_1 = read("9-1", 0x12, kAlarms, 6);
// 9-4 writes two bytes and is answered with them (§5.2).
const CommandSpec kCmd9_4 = write("9-4", 0x12, kClearAlarms, 2);
const CommandSpec kCmd10_1 = read("10-1", 0x09, kMeasurements, 16);
const CommandSpec kCmd11_1 = read("11-1", 0x0A, kAuxMeasurements, 16);
const CommandSpec kCmd12_1 = read("12-1", 0x0D, kEightRaw, 16);
const CommandSpec kCmd13_1 = read("13-1", 0x0E, kEightRaw, 16);
const CommandSpec kCmd14_1 = read("14-1", 0x11, kTenRaw, 20);
const CommandSpec kCmd15_1 = read("15-1", 0x1E, kVersion, 2);
const CommandSpec kCmd16_1 = read("16-1", 0x1F, kVersion, 2);

std::span<const CommandSpec* const> all_commands() {
  static const std::array<const CommandSpec*, 24> kAll{
      &kCmd1_1, &kCmd1_4, &kCmd2_1, &kCmd3_1, &kCmd3_4, &kCmd4_1, &kCmd4_4, &kCmd5_1,
      &kCmd5_4, &kCmd6_1, &kCmd6_4, &kCmd7_1, &kCmd7_4, &kCmd8_1, &kCmd8_4, &kCmd9_1,
      &kCmd9_4, &kCmd10_1, &kCmd11_1, &kCmd12_1, &kCmd13_1, &kCmd14_1, &kCmd15_1, &kCmd16_1};
  return kAll;
}

Bytes pack(const CommandSpec& c, const Words& words) {
  return c.request_len == 0 ? Bytes{} : pack_fields(c, words);
}

Bytes pack_fields(const CommandSpec& c, const Words& words) {
  Bytes out;
  for (std::size_t i = 0; i < c.fields.size() && i < words.size(); ++i) {
    out.push_back(static_cast<std::uint8_t>(words[i] & 0xff));
    if (width(c.fields[i]) == 2) out.push_back(static_cast<std::uint8_t>(words[i] >> 8));
  }
  return out;
}

tl::expected<Words, Error> unpack(const CommandSpec& c, std::span<const std::uint8_t> payload) {
  if (payload.size() != c.ack_len) {
    return tl::make_unexpected(Error::bad_input(
        std::string(c.name) + ": reply carries " + std::to_string(payload.size()) +
        " payload bytes, expected " + std::to_string(c.ack_len)));
  }
  Words words;
  std::size_t at = 0;
  for (const FieldSpec& f : c.fields) {
    if (width(f) == 1) {
      words.push_back(payload[at++]);
    } else {
      words.push_back(static_cast<std::uint16_t>(payload[at] | (payload[at + 1] << 8)));
      at += 2;
    }
  }
  return words;
}

double value(const CommandSpec& c, std::size_t index, std::uint16_t raw_word) {
  const FieldSpec& f = c.fields[index];
  if (f.kind == FieldKind::kQ) return decode(f.q, raw_word);
  return raw_word;
}

bool settable_mode(std::uint16_t mode) {
  return mode == kModeWaiting || mode == kModeCcDischarge || mode == kModeGridAutonomy ||
         mode == kModeCcCharge;
}

std::optional<std::string_view> mode_string(std::uint16_t mode) {
  switch (mode) {
    case 0x0000: return "Waiting";
    case 0x0001: return "Hateronomy CV Charging";  // the original's spelling, which clients match
    case 0x0002:
    case 0x0022:
    case 0x0041: return "Heteronomy CV";
    case 0x0004: return "Battery Autonomy";
    case 0x0014: return "Grid Autonomy";
    case 0x0034: return "Grid Autonomy CC Battery";
    default: return std::nullopt;
  }
}

bool nak_is_retryable(std::uint16_t ercd) {
  return ercd != 0xFFFF && ercd != 0xFFFE && ercd != 0xFFFB;
}

std::string_view nak_meaning(std::uint16_t ercd) {
  switch (ercd) {
    case 0xFFFF: return "command not supported";
    case 0xFFFE: return "command parameter invalid";
    case 0xFFFD: return "valid but cannot be accepted now";
    case 0xFFFC: return "system busy";
    case 0xFFFB: return "internal communication error";
    default: return "unknown error code";
  }
}

}  // namespace wattshare::eza
