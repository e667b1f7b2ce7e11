#include "p2p/pair_simulation.hpp"

#include <cmath>
#include <fmt/format.h>

#include "core/random.hpp"

namespace wattshare::p2p {

tl::expected<PairSimulation, Error> PairSimulation::make(const PairConfig& c) {
  auto bad = [](std::string what) { return tl::unexpected(Error::invalid_config("p2p: " + what)); };
  if (!(c.step_s > 0) || c.step_s > 1e-6) return bad(fmt::format("step {} s must be in (0, 1 µs]", c.step_s));
  const double ts = c.rectifier.ts_s;
  if (std::abs(c.inverter.ts_s - ts) > 1e-12) return bad("both controllers need the same period");
  const double ratio = ts / c.step_s;
  if (std::abs(ratio - std::round(ratio)) > 1e-6) return bad("the control period must be a whole number of steps");
  if (!(c.delay_s >= 0) || c.delay_s > ts) return bad(fmt::format("delay {} s must be in [0, {} s]", c.delay_s, ts));
  if (!(c.duration_s > 0)) return bad("duration must be > 0");
  if (!(c.plant.r_load_ohm > 0) || !(c.plant.vh_source_v > 0)) return bad("load and input voltage must be > 0");
  auto r = Rectifier::make(c.rectifier);
  if (!r) return tl::unexpected(r.error());
  return PairSimulation(c, *r);
}

PairSimulation::PairSimulation(const PairConfig& c, Rectifier r)
    : c_(c), plant_(c.plant), inverter_(c.inverter), rectifier_(std::move(r)) {
  sub_steps_ = static_cast<int>(std::lround(c.rectifier.ts_s / c.step_s));
  delay_steps_ = static_cast<int>(std::lround(c.delay_s / c.step_s));
  ticks_total_ = static_cast<std::uint64_t>(std::llround(c.duration_s / c.rectifier.ts_s));
  if (c.keep_history) records_.reserve(ticks_total_);
  if (c.start_powered) inverter_.start();
}

bool PairSimulation::tick() {
  if (tick_ >= ticks_total_) return false;
  const double t = static_cast<double>(tick_) * c_.rectifier.ts_s;
  if (c_.inverter_stop_at_s && t >= *c_.inverter_stop_at_s) inverter_.stop();

  // The frame sent at the previous tick has arrived (reception interrupt before this tick).
  if (in_flight_) rectifier_.receive(*in_flight_);
  in_flight_.reset();

  const physics::AcLinkState& x = plant_.state();
  const InverterOutput a = inverter_.tick(x.i_a);
  const RectifierOutput b = rectifier_.tick({x.v_d, x.i_b, x.vh_b});
  if (!c_.keep_history) records_.clear();
  records_.push_back({t, x.v_d, x.i_a, x.i_b, x.vh_b, x.v_el, a.duty, b.duty, a.pwm_on, b.pwm_on,
                      b.saturated, b.g_s, b.i_ref_a, b.v_dc_ref_v, rectifier_.state()});

  if (a.frame && !(c_.frames_lost_from_s && t >= *c_.frames_lost_from_s)) {
    in_flight_ = a.frame;
    if (c_.frame_corruption_probability > 0 &&
        uniform01(hash_key(c_.seed, tick_, 1)) < c_.frame_corruption_probability) {
      const auto bit = static_cast<unsigned>(hash_key(c_.seed, tick_, 2) % 64);
      (*in_flight_)[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    }
  }

  plant_.run_period(c_.step_s, sub_steps_, delay_steps_, cmd_a_, cmd_b_, {a.duty, a.pwm_on},
                    {b.duty, b.pwm_on});
  ++tick_;
  return true;
}

std::span<const TickRecord> last_window(std::span<const TickRecord> records, double window_s) {
  if (records.size() < 2) return records;
  const double ts = records[1].t_s - records[0].t_s;
  return records.last(std::min(records.size(), static_cast<std::size_t>(std::llround(window_s / ts))));
}

DutySequences open_loop_duties(std::span<const TickRecord> records) {
  DutySequences d;
  d.inverter.reserve(records.size());
  d.rectifier.reserve(records.size());
  for (const TickRecord& r : records) {
    d.inverter.push_back(r.pwm_a ? r.duty_a : 0.5);
    d.rectifier.push_back(r.pwm_b ? r.duty_b : 0.5);
  }
  return d;
}

void PairSimulation::run(const std::function<void(const TickRecord&)>& on_tick) {
  while (tick()) {
    if (on_tick) on_tick(records_.back());
  }
}

}  // namespace wattshare::p2p
