#include "api/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace wattshare {

std::string render_metrics(const MetricsSnapshot& m) {
  using namespace prometheus;
  Registry registry;  // built per scrape: the values are read from the live community anyway
  auto gauge = [&](const char* name, const char* help) -> Family<Gauge>& {
    return BuildGauge().Name(name).Help(help).Register(registry);
  };
  auto& rsoc = gauge("wattshare_unit_rsoc_percent", "Battery relative state of charge");
  auto& wg = gauge("wattshare_unit_grid_power_watts", "Converter power on the DC bus side (> 0: charging)");
  auto& wb = gauge("wattshare_unit_battery_power_watts", "Converter power on the battery side");
  auto& ig = gauge("wattshare_unit_grid_current_amperes", "Converter current on the DC bus side");
  auto& pv = gauge("wattshare_unit_pv_watts", "PV power");
  auto& load = gauge("wattshare_unit_load_watts", "House load");
  auto& errors = gauge("wattshare_unit_errors", "Recent errors held by the unit's agent");
  // Families without a sample are not written: a community without flexible loads shows none.
  auto& water = gauge("wattshare_unit_water_temperature_celsius", "Water heater tank temperature");
  auto& heater = gauge("wattshare_unit_water_heater_watts", "Water heater element power");
  auto& ev_plugged = gauge("wattshare_unit_ev_plugged", "1 while the car is at home, plugged in");
  auto& ev = gauge("wattshare_unit_ev_charge_watts", "Car charging power");
  auto& ev_soc = gauge("wattshare_unit_ev_soc_percent", "Car battery state of charge");
  for (const UnitMetrics& u : m.units) {
    const Labels l{{"unit", u.unit_id}};
    rsoc.Add(l).Set(u.rsoc_pct);
    wg.Add(l).Set(u.grid_power_w);
    wb.Add(l).Set(u.battery_power_w);
    ig.Add(l).Set(u.grid_current_a);
    pv.Add(l).Set(u.pv_w);
    load.Add(l).Set(u.load_w);
    errors.Add(l).Set(u.errors);
    if (u.heater) {
      water.Add(l).Set(u.heater->temperature_c);
      heater.Add(l).Set(u.heater->power_w);
    }
    if (u.car) {
      ev_plugged.Add(l).Set(u.car->plugged ? 1 : 0);
      ev.Add(l).Set(u.car->power_w);
      ev_soc.Add(l).Set(u.car->soc_pct);
    }
  }
  gauge("wattshare_bus_voltage_volts", "DC bus voltage at the junction").Add({}).Set(m.bus_voltage_v);
  gauge("wattshare_active_deals", "Deals in the deal table").Add({}).Set(m.active_deals);
  auto& deals = BuildCounter().Name("wattshare_deals_total").Help("Deals disposed, by outcome").Register(registry);
  deals.Add({{"outcome", "completed"}}).Increment(static_cast<double>(m.deals_completed));
  deals.Add({{"outcome", "aborted"}}).Increment(static_cast<double>(m.deals_aborted));
  deals.Add({{"outcome", "scrammed"}}).Increment(static_cast<double>(m.deals_scrammed));
  BuildCounter().Name("wattshare_invariant_violations_total").Help("Safety invariants violated")
      .Register(registry).Add({}).Increment(static_cast<double>(m.invariant_violations));
  auto& energy = BuildCounter().Name("wattshare_energy_wh_total").Help("Community energy since start, Wh")
                     .Register(registry);
  energy.Add({{"flow", "shared"}}).Increment(m.shared_wh);
  energy.Add({{"flow", "import"}}).Increment(m.import_wh);
  energy.Add({{"flow", "export"}}).Increment(m.export_wh);
  energy.Add({{"flow", "pv"}}).Increment(m.pv_wh);
  energy.Add({{"flow", "load"}}).Increment(m.load_wh);
  energy.Add({{"flow", "water_heater"}}).Increment(m.heater_wh);
  energy.Add({{"flow", "ev"}}).Increment(m.ev_wh);
  energy.Add({{"flow", "flexible_loads_surplus"}}).Increment(m.loads_surplus_wh);
  gauge("wattshare_history_queued", "History rows waiting for the store").Add({}).Set(static_cast<double>(m.history.queued));
  BuildCounter().Name("wattshare_history_write_errors_total").Help("History writes the store refused (disk full...)")
      .Register(registry).Add({}).Increment(static_cast<double>(m.history.write_errors));
  BuildCounter().Name("wattshare_history_dropped_total").Help("History rows dropped from a full queue")
      .Register(registry).Add({}).Increment(static_cast<double>(m.history.dropped));
  return TextSerializer{}.Serialize(registry.Collect());
}

}  // namespace wattshare
