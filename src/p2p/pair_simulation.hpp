// The two converters and their AC link in virtual time: the plant integrates at `step_s` (0.5 µs,
// 200 sub-steps per 100 µs tick); at each tick both controllers sample the plant, the inverter's
// frame reaches the rectifier before its next tick (≈ 4 µs on the wire), and the new duties load
// `delay_s` after the sampling instant (the computational delay δ). Deterministic: faults are
// injected at given times and frame corruption is seeded.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include <tl/expected.hpp>

#include "core/error.hpp"
#include "p2p/inverter.hpp"
#include "p2p/rectifier.hpp"
#include "physics/ac_link.hpp"

namespace wattshare::p2p {

struct PairConfig {
  physics::AcLinkParams plant;
  InverterConfig inverter;
  RectifierConfig rectifier;
  double step_s = 0.5e-6;
  double delay_s = 5e-6;
  double duration_s = 3;
  // Faults, for tests and demonstrations.
  std::optional<double> frames_lost_from_s;       // the link goes silent
  double frame_corruption_probability = 0;        // each frame has one random bit flipped
  std::uint64_t seed = 1;
  std::optional<double> inverter_stop_at_s;       // the operator's `i`
  bool start_powered = true;  // false: the inverter waits for `inverter().start()` (console)
  bool keep_history = true;   // false: records() holds only the latest tick (long runs)
};

// What both controllers saw and did at one tick (the sampling instant).
struct TickRecord {
  double t_s = 0;
  double v_d = 0, i_a = 0, i_b = 0, vh_b = 0, v_el = 0;
  double duty_a = 0, duty_b = 0;
  bool pwm_a = false, pwm_b = false;
  bool saturated_b = false;
  double g_s = 0, i_ref_a = 0, v_dc_ref_v = 0;
  ConverterState rectifier_state = ConverterState::kIdle;
};

// The records of the last `window_s` (all of them when the run is shorter).
std::span<const TickRecord> last_window(std::span<const TickRecord> records, double window_s);

// The duties each bridge had, a stopped bridge as 0.5 (zero volts): what drives the plant open
// loop (`physics::run_open_loop`, the ngspice netlist) the way the closed loop did.
struct DutySequences {
  std::vector<double> inverter, rectifier;
};
DutySequences open_loop_duties(std::span<const TickRecord> records);

class PairSimulation {
 public:
  static tl::expected<PairSimulation, Error> make(const PairConfig& c);

  // Runs to duration_s; `on_tick` sees every record as it is made (scope, console).
  void run(const std::function<void(const TickRecord&)>& on_tick = {});
  // Runs one tick; false once duration_s is reached. The record is records().back().
  bool tick();

  const std::vector<TickRecord>& records() const { return records_; }
  const Inverter& inverter() const { return inverter_; }
  Inverter& inverter() { return inverter_; }
  const Rectifier& rectifier() const { return rectifier_; }
  const physics::AcLink& plant() const { return plant_; }
  const PairConfig& config() const { return c_; }

 private:
  PairSimulation(const PairConfig& c, Rectifier r);

  PairConfig c_;
  physics::AcLink plant_;
  Inverter inverter_;
  Rectifier rectifier_;
  std::vector<TickRecord> records_;
  std::optional<FrameBytes> in_flight_;
  physics::BridgeCommand cmd_a_, cmd_b_;
  std::uint64_t tick_ = 0, ticks_total_ = 0;
  int sub_steps_ = 200, delay_steps_ = 10;
};

}  // namespace wattshare::p2p
