#include "physics/dcdc_converter.hpp"

#include <algorithm>
#include <cmath>

namespace wattshare {

std::string_view mode_code(DcdcMode m) {
  switch (m) {
    case DcdcMode::kWait: return "0x0000";
    case DcdcMode::kVoltageReference: return "0x0014";
    case DcdcMode::kDischarge: return "0x0002";
    case DcdcMode::kCharge: return "0x0041";
  }
  return "0x0000";
}

std::string_view mode_name(DcdcMode m) {
  switch (m) {
    case DcdcMode::kWait: return "Waiting";
    case DcdcMode::kVoltageReference: return "Grid Autonomy";
    case DcdcMode::kDischarge:
    case DcdcMode::kCharge: return "Heteronomy CV";
  }
  return "Waiting";
}

bool parse_mode_code(std::string_view text, DcdcMode& out) {
  // APIS sends "0x0014"; accept any case and a missing 0x, but only the four modes.
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) text.remove_prefix(2);
  if (text.empty() || text.size() > 4) return false;
  unsigned value = 0;
  for (char c : text) {
    value <<= 4;
    if (c >= '0' && c <= '9') value |= static_cast<unsigned>(c - '0');
    else if (c >= 'a' && c <= 'f') value |= static_cast<unsigned>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') value |= static_cast<unsigned>(c - 'A' + 10);
    else return false;
  }
  switch (value) {
    case 0x0000: out = DcdcMode::kWait; return true;
    case 0x0014: out = DcdcMode::kVoltageReference; return true;
    case 0x0002: out = DcdcMode::kDischarge; return true;
    case 0x0041: out = DcdcMode::kCharge; return true;
    default: return false;
  }
}

std::string_view alarm_state_name(AlarmLevel a) {
  switch (a) {
    case AlarmLevel::kNone: return "No alarm";
    case AlarmLevel::kLight: return "Light alarm";
    case AlarmLevel::kHeavy: return "Heavy alarm";
  }
  return "No alarm";
}

DcdcConverter::DcdcConverter(const DcdcParams& p) : p_(p), temperature_c_(p.ambient_c) {}

void DcdcConverter::command(DcdcMode mode, double dvg_v, double dig_a, double drg) {
  const bool starting_cv = mode == DcdcMode::kVoltageReference && mode_ != DcdcMode::kVoltageReference;
  if (mode != mode_ && mode_ == DcdcMode::kWait) current_a_ = 0;  // CC starts from zero current
  mode_ = mode;
  dvg_v_ = dvg_v;
  dig_a_ = std::clamp(dig_a, 0.0, p_.max_grid_current_a);
  drg_ = drg;
  // A new command acknowledges heavy alarms (the hardware needs a restart command to run again).
  alarm_bits_ &= 0x00ff;
  if (starting_cv) {
    reference_v_ = std::max(0.0, last_bus_voltage_v_);  // soft start from the bus voltage
    soft_started_ = false;
  }
  if (mode == DcdcMode::kWait) {
    current_a_ = 0;
    reference_v_ = 0;
    soft_started_ = false;
  }
}

PortModel DcdcConverter::port() const {
  PortModel m;
  if ((alarm_bits_ & 0xff00) != 0) return m;  // tripped: output off
  switch (mode_) {
    case DcdcMode::kWait: return m;
    case DcdcMode::kVoltageReference: {
      m.active = true;
      m.e_v = reference_v_;
      const double limit = std::max(std::min(dig_a_, power_limited_current_a()), 1e-6);
      // Droop: the voltage falls by drg x reference at full current limit.
      m.r_ohm = std::max(p_.output_resistance_ohm, drg_ * std::max(reference_v_, 1.0) / limit);
      m.lo_a = -limit;
      m.hi_a = limit;
      return m;
    }
    case DcdcMode::kDischarge:
      m.active = true;
      m.e_v = dvg_v_;
      m.r_ohm = p_.output_resistance_ohm;
      m.lo_a = 0;
      m.hi_a = std::min(current_a_, power_limited_current_a());
      return m;
    case DcdcMode::kCharge:
      m.active = true;
      m.e_v = p_.ugv_v;
      m.r_ohm = p_.output_resistance_ohm;
      m.lo_a = -std::min(current_a_, power_limited_current_a());
      m.hi_a = 0;
      return m;
  }
  return m;
}

double DcdcConverter::voltage_rate() const {
  return soft_started_ ? p_.voltage_slew_v_per_s : p_.voltage_ramp_v_per_s;
}

double DcdcConverter::power_limited_current_a() const {
  return p_.rated_power_w / std::max(last_bus_voltage_v_, p_.ugv_v);
}

bool DcdcConverter::ramping() const { return ramp_remaining_s() > 0; }

double DcdcConverter::ramp_remaining_s() const {
  double s = 0;
  if (mode_ == DcdcMode::kVoltageReference)
    s = std::max(s, std::abs(dvg_v_ - reference_v_) / voltage_rate());
  if (mode_ == DcdcMode::kCharge || mode_ == DcdcMode::kDischarge)
    s = std::max(s, std::abs(dig_a_ - current_a_) / p_.current_ramp_a_per_s);
  return s < 1e-9 ? 0 : s;
}

namespace {
double approach(double from, double to, double max_step) {
  if (std::abs(to - from) <= max_step) return to;
  return from + (to > from ? max_step : -max_step);
}
}  // namespace

void DcdcConverter::advance(double dt_s, double bus_voltage_v, double grid_current_a,
                            double battery_voltage_v) {
  last_bus_voltage_v_ = bus_voltage_v;
  const double loss = loss_w(bus_voltage_v * grid_current_a);
  if (mode_ == DcdcMode::kVoltageReference) {
    reference_v_ = approach(reference_v_, dvg_v_, voltage_rate() * dt_s);
    if (reference_v_ == dvg_v_) soft_started_ = true;
  }
  if (mode_ == DcdcMode::kCharge || mode_ == DcdcMode::kDischarge)
    current_a_ = approach(current_a_, dig_a_, p_.current_ramp_a_per_s * dt_s);
  // First-order thermal model, exact for a constant loss over dt.
  const double target = p_.ambient_c + p_.thermal_resistance_c_per_w * loss;
  temperature_c_ = target + (temperature_c_ - target) * std::exp(-dt_s / p_.thermal_time_constant_s);

  std::uint16_t bits = alarm_bits_ & 0xff00;  // heavy alarms latch until the next command
  if (temperature_c_ > p_.alarm_temperature_c) bits |= alarm_bit::kOverTemperature;
  if (mode_ != DcdcMode::kWait) {
    if (dig_a_ > power_limited_current_a()) bits |= alarm_bit::kCurrentLimited;
    if (temperature_c_ > p_.trip_temperature_c) bits |= alarm_bit::kTemperatureTrip;
    if (bus_voltage_v > p_.ogv_v) bits |= alarm_bit::kGridOverVoltage;
    if (battery_voltage_v < p_.ubv_v || battery_voltage_v > p_.obv_v)
      bits |= alarm_bit::kBatteryVoltageRange;
    if (mode_ == DcdcMode::kCharge && bus_voltage_v < p_.ugv_v) bits |= alarm_bit::kGridUnderVoltage;
  }
  alarm_bits_ = bits;
}

double DcdcConverter::loss_w(double wg_w) const {
  const double quadratic = p_.loss_per_w2 * wg_w * wg_w;
  if ((alarm_bits_ & 0xff00) != 0) return p_.idle_loss_w;
  switch (mode_) {
    case DcdcMode::kWait: return p_.idle_loss_w;
    case DcdcMode::kVoltageReference: return p_.reference_loss_w + quadratic;
    case DcdcMode::kDischarge: return p_.discharge_loss_w + quadratic;
    case DcdcMode::kCharge: return p_.charge_loss_w + quadratic;
  }
  return p_.idle_loss_w;
}

DcdcMeasurement DcdcConverter::measure(double vg_v, double ig_a, double battery_voltage_v) const {
  DcdcMeasurement m;
  m.vg_v = vg_v;
  m.ig_a = ig_a;
  m.wg_w = vg_v * ig_a;
  m.wb_w = m.wg_w - loss_w(m.wg_w);
  m.vb_v = battery_voltage_v;
  m.ib_a = battery_voltage_v > 0 ? m.wb_w / battery_voltage_v : 0;
  m.tmp_c = temperature_c_;
  return m;
}

AlarmLevel DcdcConverter::alarm_level() const {
  if ((alarm_bits_ & 0xff00) != 0) return AlarmLevel::kHeavy;
  if (alarm_bits_ != 0) return AlarmLevel::kLight;
  return AlarmLevel::kNone;
}

}  // namespace wattshare
