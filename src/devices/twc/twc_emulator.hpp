// A TWC Gen2 charger on the line, for tests and demos (`wattshare twc-sim`): it announces itself
// (slave link-ready every 10 s, and at once after the master's second link-ready 2) until a
// master talks to it, then answers each master heartbeat with its state, the limit it applies
// and the current the car draws (the car's demand, within the limit, 0 below its 6 A minimum).
// The states follow what TWCManager's notes record of real chargers (lib/TWCManager/TWCSlave.py):
// 00 with no car, 04 while a plugged car waits for current, 08 for a few seconds while it starts
// (drawing about 1.3 A), 01 charging, 03 when the car wants nothing (full); protocol 2 echoes a
// limit change as state 09 for about 12 s while the car goes on drawing, and ignores 05 once the
// car charges. Faults: silence, a corrupted checksum.
//   TwcEmulator charger{{.id = 0xABCD}, [] { return seconds_since_start(); }};
#pragma once

#include <functional>
#include <mutex>

#include "devices/serial/device_responder.hpp"
#include "devices/twc/twc_messages.hpp"

namespace wattshare::twc {

struct TwcEmulatorOptions {
  std::uint16_t id = 0xABCD;
  std::uint8_t sign = 0xAB;
  Protocol protocol = Protocol::kV2;
  double rated_amps = 32;      // the rotary switch
  bool car_plugged = true;
  double car_demand_amps = 16; // what the plugged car would draw (0: full, state 03)
  double car_min_amps = 6;
  double starting_s = 4;       // state 08 before 01
  double starting_amps = 1.3;  // what the car draws while starting
  double limit_echo_s = 12;    // protocol 2: state 09 after a limit change while charging
};

class TwcEmulator final : public DeviceResponder {
 public:
  enum class Fault { kNone, kSilence, kBadChecksum };

  TwcEmulator(TwcEmulatorOptions o, std::function<double()> now_s) : o_(o), now_s_(std::move(now_s)) {}

  std::vector<std::uint8_t> on_bytes(std::span<const std::uint8_t> in) override;
  std::vector<std::uint8_t> on_idle() override;
  void set_fault(Fault f);
  void set_car_demand(double amps);
  void set_car_plugged(bool plugged);
  [[nodiscard]] double limit_amps() const;
  [[nodiscard]] double actual_amps() const;
  [[nodiscard]] std::uint8_t state() const;
  [[nodiscard]] std::uint8_t last_command() const;  // byte 0 of the master's last heartbeat
  [[nodiscard]] std::uint64_t heartbeats_answered() const;

 private:
  Bytes frame(const Bytes& message) const;
  void follow(std::uint8_t command, double amps, double now);  // a master heartbeat

  mutable std::mutex mu_;
  TwcEmulatorOptions o_;
  std::function<double()> now_s_;
  TwcFrameDecoder rx_;
  Fault fault_ = Fault::kNone;
  bool linked_ = false;
  int linkready2_seen_ = 0;
  bool announce_now_ = true;
  double last_announce_s_ = -1e9;
  double limit_amps_ = 0;
  double actual_amps_ = 0;
  std::uint8_t state_ = kSlaveReady;
  std::uint8_t last_command_ = 0;
  bool charging_ = false;
  double charging_since_s_ = 0;
  double echo_until_s_ = -1;
  std::uint64_t answered_ = 0;
};

}  // namespace wattshare::twc
