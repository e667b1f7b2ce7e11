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

// Slave states (heartbeat byte 0), as TWCManager's notes name them (ngardiner/TWCManager,
// lib/TWCManager/TWCSlave.py, send_slave_heartbeat): 00 ready (a car may or may not be plugged
// in), 01 charging, 02 error, 03 plugged in, do not charge (also a car at its target), 04 plugged
// in, ready to charge (waiting for current), 05 busy (a second at a time, in any state), 08
// starting to charge (a few seconds while the car ramps up). Protocol 2 echoes the master's
// command as its state: 06 (raise 2 A), 07 (lower 2 A), 09 (limit), and 0A when an adjustment is
// over; 0F was reported by users, meaning unknown.
inline constexpr std::uint8_t kSlaveReady = 0x00, kSlaveCharging = 0x01, kSlaveError = 0x02,
                              kSlavePluggedNotCharging = 0x03, kSlaveReadyToCharge = 0x04,
                              kSlaveBusy = 0x05, kSlaveRaiseEcho = 0x06, kSlaveLowerEcho = 0x07,
                              kSlaveStarting = 0x08, kSlaveLimitEcho = 0x09, kSlaveAdjusted = 0x0A,
                              kSlaveUnknown0F = 0x0F;
// Whether `state` says a car is plugged in (01, 03, 04, 08 and the protocol-2 echoes 06, 07, 09,
// 0A); 00, 02 say there is none known, and 05 and 0F say nothing (see `state_says_nothing`).
bool car_plugged(std::uint8_t state);
bool state_says_nothing(std::uint8_t state);
std::string_view state_name(std::uint8_t state);  // "ready to charge", …; "unknown" otherwise

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
