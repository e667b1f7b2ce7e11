#include "app/surplus_device_site.hpp"

#include "app/wall_clock.hpp"
#include "surplus/charger_sharing.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>

#include <spdlog/spdlog.h>

namespace wattshare::app {
namespace {

// How long one car waits while others charge, when the surplus cannot serve every car.
constexpr Duration kChargerTurn = minutes(15);
constexpr Duration kThermometerPeriod = seconds(10), kThermometerStale = minutes(1);

// The number at a dotted path ("ext_temperature.0.tC"), array indexes as numbers.
std::optional<double> number_at(const Json& doc, std::string_view path) {
  const Json* at = &doc;
  while (!path.empty()) {
    const auto dot = path.find('.');
    const std::string_view part = path.substr(0, dot);
    path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
    if (at->is_object()) {
      const auto it = at->find(std::string(part));
      if (it == at->end()) return std::nullopt;
      at = &*it;
    } else if (at->is_array()) {
      std::size_t i = 0;
      const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), i);
      if (ec != std::errc{} || end != part.data() + part.size() || i >= at->size()) return std::nullopt;
      at = &(*at)[i];
    } else {
      return std::nullopt;
    }
  }
  if (!at->is_number()) return std::nullopt;
  const double v = at->get<double>();
  return std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
}

}  // namespace

DeviceSite::DeviceSite(const surplus::SurplusConfig& c)
    : c_(c),
      meter_({.host = c.site.host, .port = c.site.port, .unit_id = c.site.unit_id,
              .timeout = std::chrono::milliseconds(c.site.timeout_ms), .invert_meter = c.site.invert,
              .meter = c.site.meter}) {}

tl::expected<std::unique_ptr<DeviceSite>, Error> DeviceSite::open(const surplus::SurplusConfig& c) {
  std::unique_ptr<DeviceSite> site{new DeviceSite(c)};
  if (c.ev.kind == surplus::EvDeviceConfig::Kind::kTwc) {
    auto port = SerialPort::open({.device = c.ev.serial, .baud = c.ev.baud});
    if (!port) return tl::unexpected(port.error());
    site->line_ = std::move(*port);
    site->twc_ = std::make_unique<twc::TwcMaster>(*site->line_, twc::TwcMasterOptions{});
    site->twc_thread_ = std::jthread([s = site.get()](std::stop_token stop) {
      while (!stop.stop_requested()) s->poll_chargers();
    });
  }
  if (c.dimmer.http) site->dimmer_http_ = std::make_unique<HttpOutput>(*c.dimmer.http, "dimmer");
  if (c.relay_http) site->relay_http_ = std::make_unique<HttpOutput>(*c.relay_http, "relay");
  if (const auto& t = c.dimmer.temperature) {
    site->thermometer_ = std::make_unique<HttpClient>(t->host, static_cast<std::uint16_t>(t->port),
                                                      std::chrono::milliseconds(t->timeout_ms));
  }
  return site;
}

DeviceSite::~DeviceSite() {
  // Real outputs off before the daemon goes.
  if (dimmer_http_) dimmer_http_->send_now(c_.dimmer.http->target_for(0));
  if (relay_http_) relay_http_->send_now(c_.relay_http->target_for(false));
  if (!twc_) return;
  twc_thread_.request_stop();
  twc_thread_.join();
  // Leave the chargers at 0 A: one more heartbeat round carries the limit.
  twc_->set_limit_all(0);
  for (int i = 0; i < 12; ++i) twc_->poll(now(), std::chrono::milliseconds(100));
}

TimePoint DeviceSite::now() {
  return wall_now();
}

void DeviceSite::poll_chargers() {
  std::lock_guard lock{twc_mutex_};
  twc_->poll(now(), std::chrono::milliseconds(50));
  for (const auto& e : twc_->take_events()) spdlog::info("twc: {}", e);
}

void DeviceSite::read_thermometer(TimePoint now) {
  if (water_tried_ && now - *water_tried_ < kThermometerPeriod) return;
  water_tried_ = now;
  const auto& t = *c_.dimmer.temperature;
  auto r = thermometer_->request("GET", t.target);
  std::optional<double> v;
  if (!r) {
    water_error_ = r.error().message;
  } else if (r->status / 100 != 2) {
    water_error_ = fmt::format("answered HTTP {}", r->status);
  } else if (auto doc = parse_json_text(r->body, "the thermometer's answer"); !doc) {
    water_error_ = doc.error().message;
  } else if (!(v = number_at(*doc, t.field))) {
    water_error_ = fmt::format("no number at \"{}\"", t.field);
  }
  if (v) {
    water_c_ = v;
    water_read_ = now;
    water_error_.clear();
  }
}

surplus::SiteReading DeviceSite::read(TimePoint now) {
  surplus::SiteReading r;
  if (thermometer_) {
    read_thermometer(now);
    // Without a temperature the cut-off cannot act: the heater stays off until one comes.
    heater_blocked_ = !water_read_ || now - *water_read_ > kThermometerStale;
    if (!heater_blocked_) r.water_temperature_c = water_c_;
  }
  if (auto m = meter_.read()) {
    r.grid_export_w = m->meter_power_w;
    r.inverter_power_w = m->inverter_power_w;
    if (!m->meter_power_w) r.meter_error = "the meter's power is not implemented or has no scale factor";
  } else {
    r.meter_error = m.error().message;
  }
  switch (c_.ev.kind) {
    case surplus::EvDeviceConfig::Kind::kNone: break;
    case surplus::EvDeviceConfig::Kind::kEmulated:  // a car that is always there and follows
      r.ev_connected = true;
      r.ev_actual_a = ev_amps_;
      break;
    case surplus::EvDeviceConfig::Kind::kTwc: {
      std::lock_guard lock{twc_mutex_};
      bool linked = false;
      for (const auto& s : twc_->slaves()) {
        r.ev_connected |= s.car;
        linked |= s.state != twc::kSlaveError;
      }
      r.ev_probe = !r.ev_connected && linked;
      r.ev_actual_a = twc_->total_actual_amps();
      break;
    }
  }
  if (dimmer_http_) {
    r.dimmer_power_w = dimmer_http_->acknowledged() / 100.0 * c_.router.dimmer.rated_w;
    r.dimmer_error = dimmer_http_->error();
  } else {
    r.dimmer_power_w = dimmer_pct_ / 100 * c_.router.dimmer.rated_w;
  }
  if (heater_blocked_) {
    const auto& t = *c_.dimmer.temperature;
    r.dimmer_error = fmt::format("thermometer http://{}:{}{}: {}; the heater stays off", t.host, t.port, t.target,
                                 water_error_.empty() ? "no reading yet" : water_error_);
  }
  r.relay_on = relay_http_ ? relay_http_->acknowledged() == 1 : relay_on_;
  if (relay_http_) r.relay_error = relay_http_->error();
  return r;
}

void DeviceSite::apply(TimePoint now, const surplus::Outputs& out) {
  ev_amps_ = out.ev_amps;
  if (twc_) {
    // The router's current in whole minimum currents to as many cars as it carries, taking
    // turns when it cannot serve them all (share_charger_current).
    std::lock_guard lock{twc_mutex_};
    std::vector<surplus::ChargerDemand> demands;
    std::size_t cars = 0;
    for (const auto& s : twc_->slaves()) {
      demands.push_back({s.car, s.rated_amps});
      cars += s.car;
    }
    auto share = [&] { return surplus::share_charger_current(out.ev_amps, demands, c_.router.ev.min_a, first_charger_); };
    auto limits = share();
    const auto served = static_cast<std::size_t>(std::count_if(limits.begin(), limits.end(), [](double a) { return a > 0; }));
    if (cars <= served) {
      waiting_since_.reset();
    } else if (!waiting_since_) {
      waiting_since_ = now;
    } else if (now - *waiting_since_ >= kChargerTurn) {  // the next car's turn
      first_charger_ = (first_charger_ + 1) % demands.size();
      waiting_since_ = now;
      limits = share();
    }
    for (std::size_t i = 0; i < limits.size(); ++i) twc_->set_limit(twc_->slaves()[i].id, limits[i]);
  }
  const double dimmer_cmd = heater_blocked_ ? 0.0 : out.dimmer_pct;
  if (dimmer_http_) {
    // The dimmer does its own phase control: it gets the power share.
    const int pct = static_cast<int>(std::lround(dimmer_cmd));
    dimmer_http_->command(now, pct, c_.dimmer.http->target_for(pct));
  }
  if (relay_http_) relay_http_->command(now, out.relay_on ? 1 : 0, c_.relay_http->target_for(out.relay_on));
  dimmer_pct_ = c_.dimmer.output == surplus::DimmerOutput::kPhaseAngle
                    ? 100 * surplus::phase_angle_firing(dimmer_cmd, c_.dimmer.mains_hz).power_share
                    : dimmer_cmd;
  relay_on_ = out.relay_on;
}

HttpOutput::HttpOutput(const surplus::HttpOutputConfig& c, std::string what)
    : c_(c), what_(std::move(what)), client_(c.host, static_cast<std::uint16_t>(c.port), std::chrono::milliseconds(c.timeout_ms)) {}

void HttpOutput::command(TimePoint now, int value, const std::string& target) {
  if (error_.empty() && value == acked_ && sent_ && now - *sent_ < seconds(30)) return;
  sent_ = now;
  auto r = client_.request("GET", target);
  if (r && r->status / 100 == 2) {
    acked_ = value;
    error_.clear();
    return;
  }
  // Not acknowledged: what it does is unknown, so it is not counted, and the error shows.
  acked_ = 0;
  error_ = r ? fmt::format("{} http://{}:{}{} answered HTTP {}", what_, c_.host, c_.port, target, r->status)
             : fmt::format("{} http://{}:{}{}: {}", what_, c_.host, c_.port, target, r.error().message);
  spdlog::warn("{}", error_);
}

void HttpOutput::send_now(const std::string& target) { (void)client_.request("GET", target); }

}  // namespace wattshare::app
