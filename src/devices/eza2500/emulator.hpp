// An EZA2500 on the line, for tests and demos (`wattshare eza-sim`): answers every command of
// the table like the converter (ACK echoes, NAK ffff for an unknown command, fffe for a
// parameter it cannot take), driven by the physics converter and battery models. The rest of
// the DC grid is a stiff source (other units holding the bus) while this converter drives
// current, and a constant load while it is the voltage reference.
// Faults can be injected for the next N replies: silence, a corrupted checksum, a NAK code.
//   EzaEmulator eza{battery, {}, [] { return seconds_since_start(); }};
//   eza.inject({EzaFault::kNak, 0xFFFD, 2});
#pragma once

#include <chrono>
#include <functional>
#include <mutex>

#include "devices/eza2500/commands.hpp"
#include "devices/serial/device_responder.hpp"
#include "physics/battery.hpp"
#include "physics/dcdc_converter.hpp"

namespace wattshare::eza {

struct EzaFault {
  enum Kind { kNone, kSilence, kBadChecksum, kNak, kWrongCommand } kind = kNone;
  std::uint16_t ercd = 0xFFFD;
  int count = 1;  // replies affected; -1: until cleared
};

struct EzaEmulatorOptions {
  std::uint8_t address = 0x00;   // AD1 this converter answers to
  // The bus held by the others' voltage reference while we are not it: a CC discharge pushes
  // its current up to its dvg ceiling, so this sits below the usual 350 V.
  double grid_voltage_v = 345;
  double grid_resistance_ohm = 0.5;
  double grid_load_a = 0.5;      // what the bus draws while we hold it
  DcdcParams converter;
};

struct EzaEmulatorStats {
  std::uint64_t requests = 0, replies = 0, bad_requests = 0, faults = 0;
};

class EzaEmulator final : public DeviceResponder {
 public:
  EzaEmulator(Battery& battery, EzaEmulatorOptions o, std::function<double()> now_s);

  std::vector<std::uint8_t> on_bytes(std::span<const std::uint8_t> in) override;
  void inject(EzaFault f);
  [[nodiscard]] EzaEmulatorStats stats() const;
  [[nodiscard]] std::uint16_t mode() const;
  [[nodiscard]] DcdcMeasurement measurement() const;
  // The commands received since the last call ("4-4", "1-4", …), oldest first: a test asserts
  // the order a driver used.
  std::vector<std::string_view> take_history();

 private:
  Bytes answer(const RawFrame& request);
  Words handle_write(const CommandSpec& c, const Words& w, std::uint16_t& nak);
  Words read_block(const CommandSpec& c) const;
  void advance();
  void apply_setpoints();

  mutable std::mutex mu_;
  Battery& battery_;
  EzaEmulatorOptions o_;
  std::function<double()> now_s_;
  double last_s_ = 0;
  DcdcConverter converter_;
  FrameAssembler rx_{kRequestSfd};
  std::chrono::steady_clock::time_point last_byte_{};
  EzaFault fault_;
  EzaEmulatorStats stats_;
  std::vector<std::string_view> history_;
  // Stored blocks, raw as written (reads return them).
  std::uint16_t mode_ = kModeWaiting;
  Words grid_voltage_{0, 0}, protection_, battery_cv_{0, 0}, battery_config_{0, 0, 0, 0, 0},
      dead_zone_{0, 0}, rates_{0, 0};
  double vg_v_ = 0, ig_a_ = 0;  // the last bus operating point
};

}  // namespace wattshare::eza
