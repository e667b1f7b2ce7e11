// /metrics in Prometheus text format (prometheus-cpp core; its headers stay in metrics.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/history_health.hpp"

namespace wattshare {

struct UnitMetrics {
  std::string unit_id;
  double rsoc_pct = 0, grid_power_w = 0, battery_power_w = 0, grid_current_a = 0, pv_w = 0, load_w = 0;
  double errors = 0;  // recent errors held by the unit
  // Its flexible loads, if it has them.
  struct Heater {
    double temperature_c = 0, power_w = 0;
  };
  struct Car {
    bool plugged = false;
    double power_w = 0, soc_pct = 0;
  };
  std::optional<Heater> heater;
  std::optional<Car> car;
};

struct MetricsSnapshot {
  std::vector<UnitMetrics> units;
  double bus_voltage_v = 0;
  double active_deals = 0;
  std::uint64_t deals_completed = 0, deals_aborted = 0, deals_scrammed = 0;
  std::uint64_t invariant_violations = 0;
  double shared_wh = 0, import_wh = 0, export_wh = 0, pv_wh = 0, load_wh = 0;
  double heater_wh = 0, ev_wh = 0, loads_surplus_wh = 0;  // the flexible loads, and their surplus part
  HistoryHealth history;
};

std::string render_metrics(const MetricsSnapshot& m);

}  // namespace wattshare
