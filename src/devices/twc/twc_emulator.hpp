// A TWC Gen2 charger on the line, for tests and demos (`wattshare twc-sim`): it announces itself
// (slave link-ready every 10 s, and at once after the master's second link-ready 2) until a
// master talks to it, then answers each master heartbeat with its state, the limit it applies
// and the current the car draws (the car's demand, within the limit, 0 below its 6 A minimum).
// Faults: silence, a corrupted checksum.
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
  double car_demand_amps = 16; // what the plugged car would draw (0: no car)
  double car_min_amps = 6;
};

class TwcEmulator final : public DeviceResponder {
 public:
  enum class Fault { kNone, kSilence, kBadChecksum };

  TwcEmulator(TwcEmulatorOptions o, std::function<double()> now_s) : o_(o), now_s_(std::move(now_s)) {}

  std::vector<std::uint8_t> on_bytes(std::span<const std::uint8_t> in) override;
  std::vector<std::uint8_t> on_idle() override;
  void set_fault(Fault f);
  void set_car_demand(double amps);
  [[nodiscard]] double limit_amps() const;
  [[nodiscard]] double actual_amps() const;
  [[nodiscard]] std::uint64_t heartbeats_answered() const;

 private:
  Bytes frame(const Bytes& message) const;
  double actual_locked() const;

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
  std::uint64_t answered_ = 0;
};

}  // namespace wattshare::twc
