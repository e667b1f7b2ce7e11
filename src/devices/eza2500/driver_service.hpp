// wattshare's own apis-dcdc_batt_comm: APIS's device-driver HTTP API (reference §7, §9) served
// from a real EZA2500 (Eza2500Link) and the battery over Modbus RTU (BatteryClient). Pure
// request -> response; the HTTP transport and the watchdog's timer live in the app.
//
// Same paths, JSON and {"err": …} with HTTP 400 as the original, with its quirks fixed:
// - every full set is ordered by the converter's actual mode as seed 001 recommends
//   (Waiting → parameters then mode; running → Waiting: mode first; CC → CV: dvg, mode, dig),
//   not only the first set after start;
// - a parameter a request omits comes from the cache, else from the converter itself (1-1,
//   4-1, 6-1), so a driver restart loses nothing;
// - set/current and set/voltage need only what they send;
// - a converter that stays silent or keeps failing is commanded to Waiting before the 400;
// - while the battery denies operation, only Waiting is accepted, and the watchdog forces
//   Waiting (and keeps running after errors, which the original's thread did not);
// - the fail-safe at the device: a converter whose node has sent nothing for a while is put to
//   Waiting by the driver itself (`silence_tick`), so a dead node cannot leave current flowing.
//   DcdcBattDriver driver{link, battery.get(), {}};
//   HttpResponse r = driver.handle({"GET", "/dcdc/set?mode=0x0014&dvg=350&dig=2"});
#pragma once

#include <optional>
#include <string>

#include "core/http_message.hpp"
#include "core/time.hpp"
#include "core/json_file.hpp"
#include "devices/battery/battery_client.hpp"
#include "devices/eza2500/link.hpp"

namespace wattshare::eza {

// The converter settings of dcdc_batt_comm.yml (the shipped values).
struct ConverterSetup {
  double cib = 52, ubv = 40, ugv = 300, obv = 59, ogv = 400;
  std::uint16_t bcf = 0x0003;
  double cvb = 57.6, dlb = 49, cdb = 1.2, ddb = 1.8, drb = 0;
  double battery_voltage = 52, battery_current = 20;  // /1/log/data's constants
};

struct DriverOptions {
  ConverterSetup setup;
  bool force_wait_on_deny = true;  // the battery watchdog
};

// What one watchdog check saw and did.
struct WatchdogResult {
  std::optional<BatteryReading> reading;
  std::optional<Error> error;
  bool forced_wait = false;
};

class DcdcBattDriver {
 public:
  // `battery` may be null: battery paths then answer 400 "comm error", as the original.
  DcdcBattDriver(Eza2500Link& link, BatteryClient* battery, DriverOptions o);

  HttpResponse handle(const HttpRequest& request);
  WatchdogResult watchdog_tick();
  // The node's contact: the shell calls it with the time of every request it accepted.
  void note_contact(TimePoint now);
  // Called periodically: when the node has been silent for `bound` (counted from the first
  // call if it never spoke), a converter not known to be Waiting is put to Waiting, once per
  // silence (tried again at the next tick if the converter did not take it).
  WatchdogResult silence_tick(TimePoint now, Duration bound);
  // The mode the converter was last seen in, if known.
  [[nodiscard]] std::optional<std::uint16_t> converter_mode() const { return mode_; }

 private:
  struct SetRequest {
    std::optional<std::uint16_t> mode, dvg, drg, dig;  // raw words
  };
  using Result = tl::expected<Json, Error>;

  Result route(const std::string& path, const ParsedTarget& t);
  Result remote_get(bool with_powermeter);
  Result get_status();
  Result battery_log();
  Result full_set(SetRequest s);
  Result set_current(const SetRequest& s);
  Result set_voltage(SetRequest s);
  Result ioctl_set();
  tl::expected<SetRequest, Error> parse_set(const ParsedTarget& t) const;
  tl::expected<Words, Error> command(const CommandSpec& c, const Words& w = {});
  tl::expected<std::uint16_t, Error> setup_word(std::size_t protection_field, double v) const;
  tl::expected<Words, Error> protection_with(std::uint16_t dig) const;
  tl::expected<std::uint16_t, Error> current_mode();
  void force_waiting();
  tl::expected<Json, Error> status_json(std::uint16_t mode, const Words& status,
                                           std::optional<std::uint16_t> alm1) const;
  static Json meter_json(const Words& m);
  static Json vdis_json(const Words& v);
  Json param_json(std::uint16_t dig) const;

  Eza2500Link& link_;
  BatteryClient* battery_;
  DriverOptions o_;
  std::optional<std::uint16_t> mode_;  // the converter's mode as last read or acknowledged
  SetRequest cache_;                   // last successful values, raw
  std::optional<BatteryPermission> permission_;
  std::optional<TimePoint> last_contact_;
  bool silence_handled_ = false;  // this silence's Waiting is done
};

}  // namespace wattshare::eza
