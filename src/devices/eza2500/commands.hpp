// The EZA2500 command table (reference §5): each command's code, lengths and fields with their
// Q formats, the operation-mode and status tables (§6), and payload packing. Payloads travel as
// raw 16-bit words in field order (9-4's two bytes and the version bytes are one byte each).
//   Words w = unpack(kCmd6_1, ack.payload).value();  double dig = value(kCmd6_1, 1, w[1]);
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "core/error.hpp"
#include "devices/eza2500/frame.hpp"
#include "devices/eza2500/q_format.hpp"

namespace wattshare::eza {

enum class FieldKind { kRaw16, kQ, kByte };

struct FieldSpec {
  FieldKind kind = FieldKind::kRaw16;
  QField q;  // name always; the scaling only for kQ
};

struct CommandSpec {
  std::string_view name;  // TDK's numbering: "6-4"
  std::uint8_t code = 0;
  std::uint8_t request_len = 0;
  std::uint8_t ack_len = 0;
  std::span<const FieldSpec> fields;
  // What a NAK's error code means and whether the driver resends (§3.5).
};

// The commands the driver uses.
extern const CommandSpec kCmd1_1, kCmd1_4;   // operation mode
extern const CommandSpec kCmd2_1;            // status: cst, ext
extern const CommandSpec kCmd3_4;            // battery CV: cvb, drb
extern const CommandSpec kCmd4_1, kCmd4_4;   // grid voltage: dvg, drg
extern const CommandSpec kCmd6_1, kCmd6_4;   // cib, dig, ubv, ugv, obv, ogv
extern const CommandSpec kCmd7_4;            // battery config: bcf, cvb, dlb, cdb, ddb
extern const CommandSpec kCmd9_1, kCmd9_4;   // alarms; clear alarms
extern const CommandSpec kCmd10_1;           // measurements: vg ig vb ib wg wb ic tmp
// Every command a converter answers, for the emulator: reads and writes of groups 1–16.
std::span<const CommandSpec* const> all_commands();

// Field positions in the blocks the driver reads.
namespace field {
inline constexpr std::size_t kDvg = 0, kDrg = 1;                                       // 4-x
inline constexpr std::size_t kCib = 0, kDig = 1, kUbv = 2, kUgv = 3, kObv = 4, kOgv = 5;  // 6-x
inline constexpr std::size_t kVg = 0, kIg = 1, kVb = 2, kIb = 3, kWg = 4, kWb = 5, kIc = 6, kTmp = 7;  // 10-1
}  // namespace field

using Words = std::vector<std::uint16_t>;

// The request payload of a write (or empty for a read), in field order.
Bytes pack(const CommandSpec& c, const Words& words);
// The words as a payload whatever the direction (an ACK's payload, on the converter's side).
Bytes pack_fields(const CommandSpec& c, const Words& words);
// An ACK payload back to words; refuses a length that is not the command's ACK length.
tl::expected<Words, Error> unpack(const CommandSpec& c, std::span<const std::uint8_t> payload);
// The physical value of field `index` (Q fields; raw fields are returned as numbers).
double value(const CommandSpec& c, std::size_t index, std::uint16_t raw);

// Operation modes (§6.3).
inline constexpr std::uint16_t kModeWaiting = 0x0000;
inline constexpr std::uint16_t kModeCcDischarge = 0x0002;
inline constexpr std::uint16_t kModeGridAutonomy = 0x0014;
inline constexpr std::uint16_t kModeCcCharge = 0x0041;
bool settable_mode(std::uint16_t mode);
// The driver's operationMode string, or nullopt for a code the converter should never report.
std::optional<std::string_view> mode_string(std::uint16_t mode);

// NAK error codes (§3.5): whether the driver may resend, and what the code means.
bool nak_is_retryable(std::uint16_t ercd);
std::string_view nak_meaning(std::uint16_t ercd);

}  // namespace wattshare::eza
