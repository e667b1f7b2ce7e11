// A unit's device through an APIS device driver over HTTP, as apis-main reaches it (reference
// §2.6): `dcdc_emulator` style (apis-emulator, `wattshare emulator`: /get/unit/<id>,
// /set/dcdc/<id>?…) or `dcdc_v2` style (apis-dcdc_batt_comm, `wattshare driver`: /all/get,
// /dcdc/set?…). Every call is a GET with the request timeout, tried up to `retry_limit` times;
// the error names the URL, the attempts and the last problem. A set answers the DC/DC object
// only: the battery values of the last full read are kept.
//   ApisDriverDcdc dcdc{{.style = DriverStyle::kEmulator, .port = 4390, .unit_id = "E001"}, clock};
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "cluster/driver_json.hpp"
#include "devices/dcdc.hpp"
#include "net/http_client.hpp"

namespace wattshare::cluster {

enum class DriverStyle { kEmulator, kDcdcV2 };

struct DriverOptions {
  DriverStyle style = DriverStyle::kEmulator;
  std::string host = "127.0.0.1";
  std::uint16_t port = 4390;
  std::string unit_id;
  std::chrono::milliseconds timeout{5000};
  int retry_limit = 3;
  std::string token;  // sent as "Authorization: Bearer <token>" when set (the driver's --token-file)
};

class ApisDriverDcdc final : public Dcdc {
 public:
  ApisDriverDcdc(DriverOptions o, std::function<TimePoint()> clock);
  tl::expected<UnitData, Error> read() override;
  tl::expected<UnitData, Error> set(const DcdcCommand& command) override;

 private:
  tl::expected<UnitData, Error> get(const std::string& target);

  DriverOptions o_;
  std::function<TimePoint()> clock_;
  HttpClient http_;
  UnitData last_;
};

}  // namespace wattshare::cluster
