// A house battery: stored energy, open-circuit voltage from RSoC (≈48–52 V), per-direction
// efficiency, power limits, a BMS floor and ceiling, self-discharge, and APIS's
// battery_operation_status. Power is positive when charging.
//   Battery b{BatteryParams{.capacity_wh = 4800}};
//   BatteryFlow f = b.exchange(1200.0, 60.0);  // ask 1.2 kW in for 60 s
#pragma once

namespace wattshare {

struct BatteryParams {
  double capacity_wh = 4800;        // nominal capacity [Wh]
  double initial_rsoc_pct = 50;     // [%]
  double charge_efficiency = 0.97;  // energy stored / energy in
  double discharge_efficiency = 0.97;  // energy out / energy taken from storage
  double max_charge_w = 3000;       // [W] at the terminals
  double max_discharge_w = 3000;    // [W] at the terminals
  double floor_rsoc_pct = 2;        // the BMS refuses to discharge below [%]
  double ceiling_rsoc_pct = 100;    // the BMS refuses to charge above [%]
  double self_discharge_pct_per_month = 2;  // of capacity, while idle or not [%/30 days]
  double empty_voltage_v = 48;      // open-circuit voltage at 0 % [V]
  double full_voltage_v = 52;       // open-circuit voltage at 100 % [V]
  double internal_resistance_ohm = 0.02;
};

// APIS battery_operation_status values (reference §2.6).
enum class BatteryPermission : int { kDeny = 0, kChargeOnly = 1, kDischargeOnly = 2, kPermit = 3 };

// Energy of one exchange over an interval. `terminal_w` is what the battery actually took
// (positive) or gave (negative) at its terminals; the rest of the request could not be served.
struct BatteryFlow {
  double terminal_w = 0;
  double loss_wh = 0;  // conversion losses and self-discharge during the interval
};

class Battery {
 public:
  explicit Battery(const BatteryParams& p);

  // Exchanges up to `requested_w` (positive charge, negative discharge) for `dt_s` seconds,
  // limited by power limits, the BMS window and the stored energy.
  BatteryFlow exchange(double requested_w, double dt_s);

  // The most a charge of `dt_s` seconds could put in at the terminals [W]: its power limit, or
  // less near the BMS ceiling.
  [[nodiscard]] double charge_limit_w(double dt_s) const;
  [[nodiscard]] double stored_wh() const { return stored_wh_; }
  [[nodiscard]] double rsoc_pct() const { return 100.0 * stored_wh_ / p_.capacity_wh; }
  // Linear between empty and full; inline, as every bus step and reading asks for it.
  [[nodiscard]] double open_circuit_voltage_v() const {
    return p_.empty_voltage_v + (p_.full_voltage_v - p_.empty_voltage_v) * rsoc_pct() / 100.0;
  }
  // Terminal voltage when `current_a` flows in (positive = charging).
  [[nodiscard]] double voltage_v(double current_a) const {
    return open_circuit_voltage_v() + p_.internal_resistance_ohm * current_a;
  }
  [[nodiscard]] BatteryPermission permission() const {
    return denied_ ? BatteryPermission::kDeny : BatteryPermission::kPermit;
  }
  // Fault injection: the BMS denies operation (APIS then stops this unit's deals).
  void set_denied(bool denied) { denied_ = denied; }
  void set_rsoc_pct(double pct);
  [[nodiscard]] const BatteryParams& params() const { return p_; }

 private:
  BatteryParams p_;
  double stored_wh_;
  double self_discharge_w_;
  bool denied_ = false;
};

}  // namespace wattshare
