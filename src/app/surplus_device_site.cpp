#include "app/surplus_device_site.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/wall_clock.hpp"
#include "surplus/charger_sharing.hpp"

namespace wattshare::app {
namespace {

// How long one car waits while others charge, when the surplus cannot serve every car.
constexpr Duration kChargerTurn = minutes(15);

}  // namespace

tl::expected<std::unique_ptr<DeviceSite>, Error> DeviceSite::open(const surplus::SurplusConfig& c,
                                                                   const std::string& mqtt_password) {
  std::unique_ptr<DeviceSite> site{new DeviceSite(c)};
  auto devices = home::open_home_devices(c, wall_now, mqtt_password);
  if (!devices) return tl::unexpected(devices.error());
  site->devices_ = std::move(*devices);
  if (c.ev.kind == surplus::EvDeviceConfig::Kind::kTwc) {
    auto port = SerialPort::open({.device = c.ev.serial, .baud = c.ev.baud});
    if (!port) return tl::unexpected(port.error());
    site->line_ = std::move(*port);
    site->twc_ = std::make_unique<twc::TwcMaster>(*site->line_, twc::TwcMasterOptions{});
    site->twc_thread_ = std::jthread([s = site.get()](std::stop_token stop) {
      while (!stop.stop_requested()) s->poll_chargers();
    });
  }
  return site;
}

DeviceSite::~DeviceSite() {
  // Real outputs off before the daemon goes.
  if (devices_.dimmer) devices_.dimmer->switch_off();
  if (devices_.relay) devices_.relay->switch_off();
  if (!twc_) return;
  twc_thread_.request_stop();
  twc_thread_.join();
  // Leave the chargers at 0 A: one more heartbeat round carries the limit.
  twc_->set_limit_all(0);
  for (int i = 0; i < 12; ++i) twc_->poll(now(), std::chrono::milliseconds(100));
}

TimePoint DeviceSite::now() { return wall_now(); }

std::string DeviceSite::kind() const {
  switch (c_.site.kind) {
    case surplus::SiteConfig::Kind::kSunSpec: return "sunspec";
    case surplus::SiteConfig::Kind::kHttp: return "http";
    case surplus::SiteConfig::Kind::kMqtt: return "mqtt";
    case surplus::SiteConfig::Kind::kEmulated: break;
  }
  return "emulated";
}

void DeviceSite::poll_chargers() {
  std::lock_guard lock{twc_mutex_};
  twc_->poll(now(), std::chrono::milliseconds(50));
  for (const auto& e : twc_->take_events()) spdlog::info("twc: {}", e);
}

void DeviceSite::read_ev(surplus::SiteReading& r) {
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
}

surplus::SiteReading DeviceSite::read(TimePoint now) {
  surplus::SiteReading r;
  if (devices_.thermometer) {
    // Without a temperature the cut-off cannot act: the heater stays off until one comes.
    auto t = devices_.thermometer->celsius(now);
    heater_blocked_ = !t;
    if (t) {
      r.water_temperature_c = *t;
    } else {
      r.dimmer_error = fmt::format("thermometer {}; the heater stays off", t.error());
    }
  }
  if (auto m = devices_.meter->export_w(now)) {
    r.grid_export_w = *m;
    r.meter_unchanged = !m->has_value();
  } else {
    r.meter_error = m.error();
  }
  r.inverter_power_w = devices_.meter->inverter_w();
  if (devices_.battery) {
    if (auto b = devices_.battery->read(now)) {
      r.battery_w = b->power_w;
      r.battery_soc_pct = b->soc_pct;
    } else {
      r.battery_error = b.error();
    }
  }
  read_ev(r);
  if (devices_.dimmer) {
    r.dimmer_power_w = devices_.dimmer->acknowledged() / 100.0 * c_.router.dimmer.rated_w;
    if (r.dimmer_error.empty()) r.dimmer_error = devices_.dimmer->error();
  } else {
    r.dimmer_power_w = dimmer_pct_ / 100 * c_.router.dimmer.rated_w;
  }
  r.relay_on = devices_.relay ? devices_.relay->acknowledged() == 1 : relay_on_;
  if (devices_.relay) r.relay_error = devices_.relay->error();
  return r;
}

void DeviceSite::apply_chargers(TimePoint now, double amps) {
  // The router's current in whole minimum currents to as many cars as it carries, taking turns
  // when it cannot serve them all (share_charger_current).
  std::lock_guard lock{twc_mutex_};
  std::vector<surplus::ChargerDemand> demands;
  std::size_t cars = 0;
  for (const auto& s : twc_->slaves()) {
    demands.push_back({s.car, s.rated_amps});
    cars += s.car;
  }
  auto share = [&] { return surplus::share_charger_current(amps, demands, c_.router.ev.min_a, first_charger_); };
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

void DeviceSite::apply(TimePoint now, const surplus::Outputs& out) {
  ev_amps_ = out.ev_amps;
  if (twc_) apply_chargers(now, out.ev_amps);
  const double dimmer_cmd = heater_blocked_ ? 0.0 : out.dimmer_pct;
  // A real dimmer does its own phase control: it gets the power share.
  if (devices_.dimmer) devices_.dimmer->command(now, static_cast<int>(std::lround(dimmer_cmd)));
  if (devices_.relay) devices_.relay->command(now, out.relay_on ? 1 : 0);
  dimmer_pct_ = c_.dimmer.output == surplus::DimmerOutput::kPhaseAngle
                    ? 100 * surplus::phase_angle_firing(dimmer_cmd, c_.dimmer.mains_hz).power_share
                    : dimmer_cmd;
  relay_on_ = out.relay_on;
}

}  // namespace wattshare::app
