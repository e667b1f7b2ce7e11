#include "devices/apis_json.hpp"

#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "core/apis_time.hpp"

namespace wattshare {
namespace {

// Drivers report measured values with a few decimals; keep the JSON short and stable.
double round_to(double v, int decimals) {
  const double f = std::pow(10.0, decimals);
  const double r = std::round(v * f) / f;
  return r == 0 ? 0.0 : r;  // no "-0.0"
}

Duration offset_of(double hours) { return from_seconds(hours * 3600.0); }

}  // namespace

std::string alarm_bits_text(std::uint16_t bits) {
  // Three 16-bit words: light alarms, heavy alarms, reserved.
  return fmt::format("{:04X} {:04X} {:04X}", bits & 0x00ff, (bits >> 8) & 0x00ff, 0);
}

Json dcdc_status_json(const UnitData& d) {
  Json j;
  j["status"] = std::string(mode_code(d.mode));
  j["alarmState"] = std::string(alarm_state_name(d.alarm));
  j["operationMode"] = std::string(mode_name(d.mode));
  j["alarm"] = alarm_bits_text(d.alarm_bits);
  const char* running = "off";
  if (d.mode != DcdcMode::kWait) running = d.meter.ig_a > 0 ? "charge" : (d.meter.ig_a < 0 ? "discharge" : "off");
  j["runningState"] = running;
  return j;
}

Json dcdc_meter_json(const UnitData& d) {
  Json j;
  j["wg"] = round_to(d.meter.wg_w, 2);
  j["tmp"] = round_to(d.meter.tmp_c, 2);
  j["vb"] = round_to(d.meter.vb_v, 3);
  j["wb"] = round_to(d.meter.wb_w, 2);
  j["vg"] = round_to(d.meter.vg_v, 3);
  j["ib"] = round_to(d.meter.ib_a, 4);
  j["ig"] = round_to(d.meter.ig_a, 4);
  return j;
}

Json dcdc_vdis_json(const UnitData& d) {
  Json j;
  j["dvg"] = round_to(d.dvg_v, 3);
  j["drg"] = round_to(d.drg, 4);
  return j;
}

Json dcdc_param_json(const UnitData& d) {
  Json j;
  j["dig"] = round_to(d.param.dig_a, 4);
  j["ogv"] = d.param.ogv_v;
  j["ugv"] = d.param.ugv_v;
  j["cib"] = d.param.cib_a;
  j["obv"] = d.param.obv_v;
  j["ubv"] = d.param.ubv_v;
  return j;
}

Json battery_json(const UnitData& d) {
  Json j;
  j["rsoc"] = round_to(d.rsoc_pct, 2);
  j["battery_operation_status"] =
      static_cast<int>(d.battery_status.value_or(BatteryPermission::kPermit));
  return j;
}

Json dcdc_full_json(const UnitData& d) {
  Json j;
  j["status"] = dcdc_status_json(d);
  j["meter"] = dcdc_meter_json(d);
  j["vdis"] = dcdc_vdis_json(d);
  j["param"] = dcdc_param_json(d);
  return j;
}

Json all_get_json(const UnitData& d) {
  Json j;
  const Json b = battery_json(d);
  j["rsoc"] = b["rsoc"];
  j["battery_operation_status"] = b["battery_operation_status"];
  j["meter"] = dcdc_meter_json(d);
  j["param"] = dcdc_param_json(d);
  j["status"] = dcdc_status_json(d);
  j["vdis"] = dcdc_vdis_json(d);
  return j;
}

Json emulator_unit_json(const UnitData& d, const UnitIdentity& who) {
  const Duration offset = offset_of(who.utc_offset_h);
  const TimePoint local = d.time + offset;
  const auto day = std::chrono::floor<std::chrono::days>(local);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{std::chrono::floor<std::chrono::seconds>(local - day)};

  Json emu;
  emu["charge_discharge_power"] = round_to(std::abs(d.meter.wb_w), 2);
  emu["rsoc"] = round_to(d.rsoc_pct, 2);
  emu["battery_rsoc"] = round_to(d.rsoc_pct, 2);
  emu["battery_voltage"] = round_to(d.meter.vb_v, 3);
  emu["battery_current"] = round_to(d.meter.ib_a, 4);
  emu["pvc_charge_voltage"] = round_to(d.meter.vb_v, 3);
  emu["pvc_charge_current"] = round_to(d.meter.vb_v > 0 ? who.pv_w / d.meter.vb_v : 0.0, 4);
  emu["pvc_charge_power"] = round_to(who.pv_w, 2);
  emu["ups_input_voltage"] = 100.0;
  emu["ups_output_voltage"] = 100.0;
  emu["ups_output_current"] = round_to(who.load_w / 100.0, 4);
  emu["ups_output_power"] = round_to(who.load_w, 2);
  emu["ups_output_frequency"] = 60;
  emu["ups_operation_mode"] = Json{{"mode", "0x02"}, {"parameter", "0x00"}, {"stop_mode", "0x00"}};
  emu["ups_operation_schedule"] = "0x01";
  emu["system_time"] = Json{{"year", static_cast<int>(ymd.year())},
                            {"month", static_cast<unsigned>(ymd.month())},
                            {"day", static_cast<unsigned>(ymd.day())},
                            {"hour", hms.hours().count()},
                            {"minute", hms.minutes().count()}};
  const double hours_left =
      who.load_w > 1 ? who.battery_capacity_wh * d.rsoc_pct / 100.0 / who.load_w : 99.0;
  emu["dischargeable_time"] = Json{{"hour", static_cast<int>(std::min(hours_left, 99.0))},
                                   {"minute", static_cast<int>(std::fmod(std::min(hours_left, 99.0) * 60, 60))}};
  emu["battery_operation_status"] =
      static_cast<int>(d.battery_status.value_or(BatteryPermission::kPermit));

  Json dcdc = dcdc_full_json(d);
  dcdc["powermeter"] = Json{{"p1", round_to(who.load_w, 2)}, {"p2", 0.0}, {"v1", 100.0},
                            {"i1", round_to(who.load_w / 100.0, 4)}, {"kwh1", 0.0}, {"kwh2", 0.0}};

  Json unit;
  unit["emu"] = std::move(emu);
  unit["dcdc"] = std::move(dcdc);
  unit["oesunit"] = Json{{"communityId", who.community_id}, {"clusterId", who.cluster_id},
                         {"id", who.unit_id}, {"display", who.unit_id}, {"sn", who.unit_id},
                         {"budo", "0"}, {"ip", "127.0.0.1"}, {"ipv6_ll", ""},
                         {"ipv6_g", ""}, {"mac", ""}};
  unit["time"] = format_apis_time(d.time, offset);
  return unit;
}

}  // namespace wattshare
