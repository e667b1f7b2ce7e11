#include "devices/twc/twc_messages.hpp"

#include <algorithm>
#include <cmath>

namespace wattshare::twc {
namespace {

void put16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v & 0xFF));
}
std::uint16_t get16(const Bytes& b, std::size_t at) { return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]); }
std::size_t data_len(Protocol p) { return p == Protocol::kV2 ? 9 : 7; }

}  // namespace

std::uint16_t centiamps(double amps) {
  return static_cast<std::uint16_t>(std::lround(std::clamp(std::isnan(amps) ? 0.0 : amps, 0.0, 655.35) * 100));
}

double amps_of(std::uint8_t hi, std::uint8_t lo) { return ((hi << 8) | lo) / 100.0; }

Bytes master_linkready(std::uint16_t command, std::uint16_t master, std::uint8_t sign) {
  Bytes m;
  put16(m, command);
  put16(m, master);
  m.push_back(sign);
  m.resize(13, 0);
  return m;
}

Bytes slave_linkready(std::uint16_t slave, std::uint8_t sign, double max_amps, Protocol p) {
  Bytes m;
  put16(m, kSlaveLinkReady);
  put16(m, slave);
  m.push_back(sign);
  put16(m, centiamps(max_amps));
  m.resize(p == Protocol::kV2 ? 15 : 13, 0);
  return m;
}

Bytes master_heartbeat(std::uint16_t master, std::uint16_t slave, const Bytes& data) {
  Bytes m;
  put16(m, kMasterHeartbeat);
  put16(m, master);
  put16(m, slave);
  m.insert(m.end(), data.begin(), data.end());
  return m;
}

Bytes slave_heartbeat(std::uint16_t slave, std::uint16_t master, std::uint8_t state, double max_amps,
                      double actual_amps, Protocol p) {
  Bytes m;
  put16(m, kSlaveHeartbeat);
  put16(m, slave);
  put16(m, master);
  m.push_back(state);
  put16(m, centiamps(max_amps));
  put16(m, centiamps(actual_amps));
  m.resize(6 + data_len(p), 0);
  return m;
}

Bytes limit_command(Protocol p, double amps) {
  Bytes d{static_cast<std::uint8_t>(p == Protocol::kV2 ? 0x09 : 0x05)};
  put16(d, centiamps(amps));
  d.resize(data_len(p), 0);
  return d;
}

Bytes no_change(Protocol p) { return Bytes(data_len(p), 0); }

std::optional<Message> parse_message(const Bytes& b) {
  if (b.size() != 13 && b.size() != 15 && b.size() != 19) return std::nullopt;
  Message m;
  m.command = get16(b, 0);
  m.sender = get16(b, 2);
  m.protocol = b.size() == 13 ? Protocol::kV1 : Protocol::kV2;
  switch (m.command) {
    case kMasterLinkReady1:
    case kMasterLinkReady2:
    case kSlaveLinkReady:
      m.sign = b[4];
      m.data.assign(b.begin() + 5, b.end());
      return m;
    case kMasterHeartbeat:
    case kSlaveHeartbeat:
      m.receiver = get16(b, 4);
      m.data.assign(b.begin() + 6, b.end());
      return m;
    default:
      // Other commands (kWh, VIN, start/stop …) are valid frames this master does not use.
      m.data.assign(b.begin() + 4, b.end());
      return m;
  }
}

bool car_plugged(std::uint8_t state) {
  switch (state) {
    case kSlaveCharging: case kSlavePluggedNotCharging: case kSlaveReadyToCharge: case kSlaveStarting:
    case kSlaveRaiseEcho: case kSlaveLowerEcho: case kSlaveLimitEcho: case kSlaveAdjusted:
      return true;
    default:
      return false;
  }
}

bool state_says_nothing(std::uint8_t state) { return state == kSlaveBusy || state == kSlaveUnknown0F; }

std::string_view state_name(std::uint8_t state) {
  switch (state) {
    case kSlaveReady: return "ready";
    case kSlaveCharging: return "charging";
    case kSlaveError: return "error";
    case kSlavePluggedNotCharging: return "plugged in, do not charge";
    case kSlaveReadyToCharge: return "ready to charge";
    case kSlaveBusy: return "busy";
    case kSlaveRaiseEcho: return "raising 2 A";
    case kSlaveLowerEcho: return "lowering 2 A";
    case kSlaveStarting: return "starting to charge";
    case kSlaveLimitEcho: return "limit changed";
    case kSlaveAdjusted: return "adjustment done";
    default: return "unknown";
  }
}

}  // namespace wattshare::twc
