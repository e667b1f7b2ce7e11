#include "cluster/driver_client.hpp"

#include <fmt/format.h>

namespace wattshare::cluster {
ApisDriverDcdc::ApisDriverDcdc(DriverOptions o, std::function<TimePoint()> clock)
    : o_(std::move(o)), clock_(std::move(clock)), http_(o_.host, o_.port, o_.timeout) {
  if (!o_.token.empty()) http_.set_header("Authorization", "Bearer " + o_.token);
}

tl::expected<UnitData, Error> ApisDriverDcdc::get(const std::string& target) {
  std::string last;
  for (int attempt = 1; attempt <= std::max(o_.retry_limit, 1); ++attempt) {
    auto r = http_.request("GET", target);
    if (!r) {
      last = r.error().message;
      continue;
    }
    if (r->status != 200) {
      last = fmt::format("HTTP {}: {}", r->status, r->body.substr(0, 200));
      continue;
    }
    auto doc = parse_json_text(r->body, "driver reply");
    if (!doc) {
      last = doc.error().message;
      continue;
    }
    auto u = unit_data_from_driver_json(*doc, last_, clock_());
    if (!u) {
      last = u.error().message;
      continue;
    }
    last_ = *u;
    return u;
  }
  return tl::unexpected(Error::not_available(fmt::format("driver http://{}:{}{}: {} attempts failed, last: {}", o_.host,
                                                         o_.port, target, std::max(o_.retry_limit, 1), last)));
}

tl::expected<UnitData, Error> ApisDriverDcdc::read() {
  return get(o_.style == DriverStyle::kEmulator ? "/get/unit/" + o_.unit_id : "/all/get");
}

tl::expected<UnitData, Error> ApisDriverDcdc::set(const DcdcCommand& c) {
  std::string query;
  auto add = [&](const char* name, const std::string& value) {
    query += query.empty() ? '?' : '&';
    query += name;
    query += '=';
    query += value;
  };
  if (c.mode) add("mode", std::string(mode_code(*c.mode)));
  if (c.dvg_v) add("dvg", fmt::format("{}", *c.dvg_v));
  if (c.dig_a) add("dig", fmt::format("{}", std::abs(*c.dig_a)));
  if (c.drg) add("drg", fmt::format("{}", *c.drg));
  std::string path;
  if (o_.style == DriverStyle::kDcdcV2) {
    path = "/dcdc/set";
  } else if (c.mode) {
    path = "/set/dcdc/" + o_.unit_id;
  } else if (c.dvg_v || c.drg) {
    path = "/set/dcdc/voltage/" + o_.unit_id;
  } else {
    path = "/set/dcdc/current/" + o_.unit_id;
  }
  return get(path + query);
}

}  // namespace wattshare::cluster
