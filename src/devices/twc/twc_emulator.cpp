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

double TwcEmulator::actual_amps() const {
  std::lock_guard lock{mu_};
  return actual_locked();
}

std::uint64_t TwcEmulator::heartbeats_answered() const {
  std::lock_guard lock{mu_};
  return answered_;
}

double TwcEmulator::actual_locked() const {
  const double available = std::min({limit_amps_, o_.rated_amps, o_.car_demand_amps});
  return available >= o_.car_min_amps ? available : 0.0;
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
    const std::uint8_t cmd = msg->data[0];
    if (cmd == 0x05 || cmd == 0x09) limit_amps_ = std::min(amps_of(msg->data[1], msg->data[2]), o_.rated_amps);
    const double actual = actual_locked();
    const std::uint8_t state = actual > 0 ? kSlaveCharging : (o_.car_demand_amps > 0 ? kSlavePluggedNotCharging : kSlaveReady);
    const Bytes reply = frame(slave_heartbeat(o_.id, msg->sender, state, limit_amps_, actual, o_.protocol));
    out.insert(out.end(), reply.begin(), reply.end());
    ++answered_;
  }
  return out;
}

}  // namespace wattshare::twc
