#include "devices/twc/twc_master.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace wattshare::twc {

void TwcMaster::send(const Bytes& message) {
  (void)line_.write(encode_twc_frame(message));  // a failed write shows as a silent slave
  ++frames_sent_;
}

bool TwcMaster::set_limit(std::uint16_t slave, double amps) {
  for (TwcSlave& s : slaves_) {
    if (s.id == slave) {
      s.limit_amps = std::clamp(amps, 0.0, s.rated_amps > 0 ? s.rated_amps : amps);
      return true;
    }
  }
  return false;
}

void TwcMaster::set_limit_all(double amps) {
  default_limit_ = std::max(0.0, amps);
  for (TwcSlave& s : slaves_) set_limit(s.id, amps);
}

double TwcMaster::total_actual_amps() const {
  double sum = 0;
  for (const TwcSlave& s : slaves_) sum += s.actual_amps;
  return sum;
}

void TwcMaster::receive(TimePoint now, std::chrono::milliseconds wait) {
  std::array<std::uint8_t, 256> buf{};
  for (;;) {
    auto n = line_.read(buf, wait);
    wait = std::chrono::milliseconds(0);  // only for the first byte: then take what is there
    if (!n || *n == 0) break;
    for (std::size_t i = 0; i < *n; ++i) {
      if (auto m = rx_.feed(buf[i])) {
        if (auto parsed = parse_message(*m)) handle(*parsed, now);
      }
    }
  }
  if (rx_.bad_frames() != bad_seen_) {
    bad_seen_ = rx_.bad_frames();
    events_.push_back("refused a frame: " + rx_.last_problem());
  }
}

void TwcMaster::handle(const Message& m, TimePoint now) {
  if (m.command == kSlaveLinkReady) {
    auto it = std::find_if(slaves_.begin(), slaves_.end(), [&](const TwcSlave& s) { return s.id == m.sender; });
    if (it == slaves_.end()) {
      if (slaves_.size() >= o_.max_slaves) {
        events_.push_back(fmt::format("slave {:04x} refused: already {} slaves", m.sender, o_.max_slaves));
        return;
      }
      TwcSlave s;
      s.id = m.sender;
      s.sign = m.sign;
      s.protocol = m.protocol;
      s.rated_amps = amps_of(m.data[0], m.data[1]);
      s.limit_amps = std::min(default_limit_, s.rated_amps);
      s.next_heartbeat = now;
      slaves_.push_back(s);
      it = slaves_.end() - 1;
      events_.push_back(fmt::format("slave {:04x} joined (protocol {}, {:.2f} A rated)", s.id,
                                    static_cast<int>(s.protocol), s.rated_amps));
    }
    it->last_heard = now;
    return;
  }
  if (m.command == kSlaveHeartbeat && m.receiver == o_.master_id) {
    for (TwcSlave& s : slaves_) {
      if (s.id != m.sender) continue;
      s.state = m.data[0];
      if (!state_says_nothing(s.state)) s.car = car_plugged(s.state);
      s.reported_max_amps = amps_of(m.data[1], m.data[2]);
      s.actual_amps = amps_of(m.data[3], m.data[4]);
      s.last_heard = now;
      s.heard_heartbeat = true;
    }
  }
}

void TwcMaster::poll(TimePoint now, std::chrono::milliseconds wait) {
  if (!started_) {
    started_ = true;
    next_linkready_ = now;
  }
  receive(now, wait);
  // Link-ready announcements: 5 × FC E1, then 5 × FB E2.
  if (linkready_sent_ < 2 * o_.linkready_count && now >= next_linkready_) {
    const std::uint16_t kind = linkready_sent_ < o_.linkready_count ? kMasterLinkReady1 : kMasterLinkReady2;
    send(master_linkready(kind, o_.master_id, o_.sign));
    ++linkready_sent_;
    next_linkready_ = now + o_.linkready_period;
  }
  // Slaves that stopped answering leave; the charger falls back to its own safe state.
  std::erase_if(slaves_, [&](const TwcSlave& s) {
    if (now - s.last_heard < o_.silence_limit) return false;
    events_.push_back(fmt::format("slave {:04x} silent for {:.0f} s: dropped", s.id, to_seconds(now - s.last_heard)));
    return true;
  });
  for (TwcSlave& s : slaves_) {
    if (now < s.next_heartbeat) continue;
    s.next_heartbeat = now + o_.heartbeat_period;
    // TWCSlave.send_master_heartbeat: the limit again unless the slave reports it, and always at
    // 0 A (a "no change" there makes the slave swing between 01 and 03, its relay clicking).
    const bool settled = s.heard_heartbeat && centiamps(s.reported_max_amps) == centiamps(s.limit_amps) &&
                         centiamps(s.limit_amps) > 0;
    send(master_heartbeat(o_.master_id, s.id, settled ? no_change(s.protocol) : limit_command(s.protocol, s.limit_amps)));
  }
}

}  // namespace wattshare::twc
