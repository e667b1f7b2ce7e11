// TWC Gen2 load-sharing messages (reference pv-surplus.md §2.4): link-ready announcements of
// master and slave, and the heartbeats that carry the master's current limit and the slave's
// state, maximum and actual current (big-endian, 0.01 A). Protocol 1 messages are 13 bytes,
// protocol 2 adds two data bytes.
//   Bytes hb = master_heartbeat(0x7777, 0xABCD, limit_command(Protocol::kV1, 40.0));  // 05 0F A0 …
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "devices/twc/twc_frame.hpp"

namespace wattshare::twc {

enum class Protocol { kV1 = 1, kV2 = 2 };

inline constexpr std::uint16_t kMasterLinkReady1 = 0xFCE1;
inline constexpr std::uint16_t kMasterLinkReady2 = 0xFBE2;
inline constexpr std::uint16_t kSlaveLinkReady = 0xFDE2;
inline constexpr std::uint16_t kMasterHeartbeat = 0xFBE0;
inline constexpr std::uint16_t kSlaveHeartbeat = 0xFDE0;

// Slave states (heartbeat byte 0).
inline constexpr std::uint8_t kSlaveReady = 0x00, kSlaveCharging = 0x01, kSlaveError = 0x02,
                              kSlavePluggedNotCharging = 0x03;

struct Message {
  std::uint16_t command = 0;
  std::uint16_t sender = 0;
  std::uint16_t receiver = 0;  // heartbeats only
  std::uint8_t sign = 0;       // link-ready only
  Bytes data;                  // what follows the identifiers
  Protocol protocol = Protocol::kV1;
};

Bytes master_linkready(std::uint16_t command, std::uint16_t master, std::uint8_t sign);
Bytes slave_linkready(std::uint16_t slave, std::uint8_t sign, double max_amps, Protocol p);
Bytes master_heartbeat(std::uint16_t master, std::uint16_t slave, const Bytes& data);
Bytes slave_heartbeat(std::uint16_t slave, std::uint16_t master, std::uint8_t state, double max_amps,
                      double actual_amps, Protocol p);

// Heartbeat data for "limit to `amps`" (05 in protocol 1, 09 in protocol 2) and for "no change".
Bytes limit_command(Protocol p, double amps);
Bytes no_change(Protocol p);

// A message of a known type with a consistent length, else nullopt.
std::optional<Message> parse_message(const Bytes& message);

std::uint16_t centiamps(double amps);  // rounded, clamped to 0…655.35 A
double amps_of(std::uint8_t hi, std::uint8_t lo);

}  // namespace wattshare::twc
