// A bidirectional DC/DC converter between a house battery (~48 V) and the shared DC bus
// (~350 V), with APIS's four modes. It turns set-points into a port characteristic for the bus
// solver, ramps its set-points like real hardware, heats with its losses and raises alarms when
// driven outside its ratings.
//
// Signs (as APIS): ig > 0 and wg > 0 when the converter draws from the bus to charge its battery;
// wb = wg - loss is the power delivered to (positive) or taken from (negative) the battery.
//   DcdcConverter c{DcdcParams{}};
//   c.command(DcdcMode::kVoltageReference, 350.0, 2.3, 0.0);
#pragma once

#include <cstdint>
#include <string_view>

#include "physics/port.hpp"

namespace wattshare {

enum class DcdcMode : std::uint16_t {
  kWait = 0x0000,
  kVoltageReference = 0x0014,  // CV: holds the bus voltage ("Grid Autonomy")
  kDischarge = 0x0002,         // CC discharge into the bus ("Heteronomy CV")
  kCharge = 0x0041,            // CC charge from the bus ("Heteronomy CV")
};

// "0x0014" etc.; the APIS operationMode strings.
std::string_view mode_code(DcdcMode m);
std::string_view mode_name(DcdcMode m);
bool parse_mode_code(std::string_view text, DcdcMode& out);

enum class AlarmLevel { kNone, kLight, kHeavy };
std::string_view alarm_state_name(AlarmLevel a);  // "No alarm", "Light alarm", "Heavy alarm"

// Alarm bits reported as "XXXX XXXX XXXX" (three 16-bit hex words).
namespace alarm_bit {
inline constexpr std::uint16_t kOverTemperature = 0x0001;       // light
inline constexpr std::uint16_t kCurrentLimited = 0x0002;        // light: set-point above rating
inline constexpr std::uint16_t kGridUnderVoltage = 0x0004;      // light: CC charge below ugv
inline constexpr std::uint16_t kGridOverVoltage = 0x0100;       // heavy: bus above ogv
inline constexpr std::uint16_t kBatteryVoltageRange = 0x0200;   // heavy: vb outside ubv..obv
inline constexpr std::uint16_t kTemperatureTrip = 0x0400;       // heavy
}  // namespace alarm_bit

struct DcdcParams {
  double rated_power_w = 2500;        // EZA2500
  double max_grid_current_a = 7.5;    // highest dig the hardware accepts [A]
  double ugv_v = 300, ogv_v = 400;    // grid under/over-voltage limits [V]
  double ubv_v = 40, obv_v = 59;      // battery under/over-voltage limits [V]
  double cib_a = 52;                  // battery current limit [A]
  double idle_loss_w = 4.5;           // WAIT (OIST measurement)
  double charge_loss_w = 50;          // fixed part when charging [W]
  double discharge_loss_w = 35;       // fixed part when discharging [W]
  double reference_loss_w = 40;       // fixed part as voltage reference [W]
  double loss_per_w2 = 3e-5;          // proportional-to-P² part [W/W²]
  double current_ramp_a_per_s = 20.0;  // dig slew rate (1 A in 50 ms)
  double voltage_ramp_v_per_s = 25.0;  // CV soft start from a dead bus (0 -> 350 V in 14 s)
  double voltage_slew_v_per_s = 500.0; // CV set-point changes once running
  double output_resistance_ohm = 0.05;
  double thermal_resistance_c_per_w = 0.12;
  double thermal_time_constant_s = 600;
  double ambient_c = 25;
  double alarm_temperature_c = 50;    // light alarm above
  double trip_temperature_c = 70;     // heavy alarm and stop above
};

struct DcdcMeasurement {
  double vg_v = 0, ig_a = 0, wg_w = 0;
  double vb_v = 0, ib_a = 0, wb_w = 0;
  double tmp_c = 25;
};

class DcdcConverter {
 public:
  explicit DcdcConverter(const DcdcParams& p);

  // A new set-point triple (the caller validated the ranges); it acknowledges heavy alarms.
  void command(DcdcMode mode, double dvg_v, double dig_a, double drg);
  [[nodiscard]] DcdcMode mode() const { return mode_; }
  [[nodiscard]] double dvg_v() const { return dvg_v_; }
  [[nodiscard]] double dig_a() const { return dig_a_; }
  [[nodiscard]] double drg() const { return drg_; }

  // The port characteristic for the bus solver, from the ramped internal state.
  [[nodiscard]] PortModel port() const;
  // True while a ramp is in progress: the caller steps the physics finely until it ends.
  [[nodiscard]] bool ramping() const;
  // Seconds until the running ramp ends (0 when none).
  [[nodiscard]] double ramp_remaining_s() const;
  // Advances ramps and temperature by dt at the given operating point; checks ratings.
  void advance(double dt_s, double bus_voltage_v, double grid_current_a, double battery_voltage_v);

  // Loss at grid-side power wg in the present mode [W].
  [[nodiscard]] double loss_w(double wg_w) const;
  // Fills the measurement from the bus operating point and the battery voltage.
  [[nodiscard]] DcdcMeasurement measure(double vg_v, double ig_a, double battery_voltage_v) const;

  [[nodiscard]] AlarmLevel alarm_level() const;
  // The current the rated power allows at the present bus voltage [A].
  [[nodiscard]] double power_limited_current_a() const;
  // CV reference slew: soft start until the first target is reached, fast afterwards.
  [[nodiscard]] double voltage_rate() const;
  [[nodiscard]] std::uint16_t alarm_bits() const { return alarm_bits_; }
  [[nodiscard]] double temperature_c() const { return temperature_c_; }
  [[nodiscard]] const DcdcParams& params() const { return p_; }
  // The bus voltage seen when the CV reference started, to ramp from (soft start).
  void note_bus_voltage(double v) { last_bus_voltage_v_ = v; }

 private:
  DcdcParams p_;
  DcdcMode mode_ = DcdcMode::kWait;
  double dvg_v_ = 0, dig_a_ = 0, drg_ = 0;
  double reference_v_ = 0;   // ramped CV reference
  bool soft_started_ = false;  // the first CV ramp is slow (soft start), later changes fast
  double current_a_ = 0;     // ramped current limit
  double temperature_c_;
  double last_bus_voltage_v_ = 0;
  std::uint16_t alarm_bits_ = 0;
};

}  // namespace wattshare
