#include "app/surplus_device_site.hpp"

#include "app/wall_clock.hpp"
#include "surplus/charger_sharing.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <spdlog/spdlog.h>

namespace wattshare::app {
namespace {

// How long one car waits while others charge, when the surplus cannot serve every car.
constexpr Duration kChargerTurn = minutes(15);

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

surplus::SiteReading DeviceSite::read(TimePoint) {
  surplus::SiteReading r;
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
  if (dimmer_http_) {
    // The dimmer does its own phase control: it gets the power share.
    const int pct = static_cast<int>(std::lround(out.dimmer_pct));
    dimmer_http_->command(now, pct, c_.dimmer.http->target_for(pct));
  }
  if (relay_http_) relay_http_->command(now, out.relay_on ? 1 : 0, c_.relay_http->target_for(out.relay_on));
  dimmer_pct_ = c_.dimmer.output == surplus::DimmerOutput::kPhaseAngle
                    ? 100 * surplus::phase_angle_firing(out.dimmer_pct, c_.dimmer.mains_hz).power_share
                    : out.dimmer_pct;
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
