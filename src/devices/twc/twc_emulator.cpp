#include "devices/twc/twc_emulator.hpp"

#include <algorithm>

namespace wattshare::twc {

void TwcEmulator::set_fault(Fault f) {
  std::lock_guard lock{mu_};
  fault_ = f;
}

void TwcEmulator::set_car_demand(double amps) {
  std::lock_guard lock{mu_};
  o_.car_demand_amps = amps;
}

double TwcEmulator::limit_amps() const {
  std::lock_guard lock{mu_};
  return limit_amps_;
}

void TwcEmulator::set_car_plugged(bool plugged) {
  std::lock_guard lock{mu_};
  o_.car_plugged = plugged;
}

double TwcEmulator::actual_amps() const {
  std::lock_guard lock{mu_};
  return actual_amps_;
}

std::uint8_t TwcEmulator::state() const {
  std::lock_guard lock{mu_};
  return state_;
}

std::uint8_t TwcEmulator::last_command() const {
  std::lock_guard lock{mu_};
  return last_command_;
}

std::uint64_t TwcEmulator::heartbeats_answered() const {
  std::lock_guard lock{mu_};
  return answered_;
}

void TwcEmulator::follow(std::uint8_t command, double amps, double now) {
  last_command_ = command;
  const bool v2 = o_.protocol == Protocol::kV2;
  // Protocol 2 takes a limit from 09, and from 05 only before the car charges (TWCSlave.py: "If
  // 05 is sent after a car is already charging, it is ignored"); protocol 1 from 05.
  const bool takes = command == 0x09 ? v2 : command == 0x05 && !(v2 && charging_);
  if (takes) {
    const double limit = std::min(amps, o_.rated_amps);
    if (v2 && command == 0x09 && charging_ && centiamps(limit) != centiamps(limit_amps_)) echo_until_s_ = now + o_.limit_echo_s;
    limit_amps_ = limit;
  }
  const double available = std::min({limit_amps_, o_.rated_amps, o_.car_demand_amps});
  if (!o_.car_plugged || o_.car_demand_amps <= 0 || available < o_.car_min_amps) {
    charging_ = false;
    actual_amps_ = 0;
    state_ = !o_.car_plugged ? kSlaveReady : o_.car_demand_amps <= 0 ? kSlavePluggedNotCharging : kSlaveReadyToCharge;
    return;
  }
  if (!charging_) {
    charging_ = true;
    charging_since_s_ = now;
    echo_until_s_ = -1;
  }
  if (now - charging_since_s_ < o_.starting_s) {
    state_ = kSlaveStarting;
    actual_amps_ = std::min(available, o_.starting_amps);
  } else {
    state_ = now < echo_until_s_ ? kSlaveLimitEcho : kSlaveCharging;
    actual_amps_ = available;
  }
}

Bytes TwcEmulator::frame(const Bytes& message) const {
  Bytes f = encode_twc_frame(message);
  if (fault_ == Fault::kBadChecksum) f[f.size() - 2] ^= 0x01;  // the byte before the closing C0
  return f;
}

std::vector<std::uint8_t> TwcEmulator::on_idle() {
  std::lock_guard lock{mu_};
  if (fault_ == Fault::kSilence || linked_) return {};
  const double now = now_s_();
  if (!announce_now_ && now - last_announce_s_ < 10.0) return {};
  announce_now_ = false;
  last_announce_s_ = now;
  return frame(slave_linkready(o_.id, o_.sign, o_.rated_amps, o_.protocol));
}

std::vector<std::uint8_t> TwcEmulator::on_bytes(std::span<const std::uint8_t> in) {
  std::lock_guard lock{mu_};
  Bytes out;
  for (const std::uint8_t b : in) {
    auto m = rx_.feed(b);
    if (!m || fault_ == Fault::kSilence) continue;
    auto msg = parse_message(*m);
    if (!msg) continue;
    if (msg->command == kMasterLinkReady2 && ++linkready2_seen_ >= 2 && !linked_) announce_now_ = true;
    if (msg->command != kMasterHeartbeat || msg->receiver != o_.id) continue;
    linked_ = true;
    follow(msg->data[0], amps_of(msg->data[1], msg->data[2]), now_s_());
    const Bytes reply = frame(slave_heartbeat(o_.id, msg->sender, state_, limit_amps_, actual_amps_, o_.protocol));
    out.insert(out.end(), reply.begin(), reply.end());
    ++answered_;
  }
  return out;
}

}  // namespace wattshare::twc
