// The load-sharing master of up to three TWC Gen2 chargers on one RS485 line, as TWCManager
// plays it (reference pv-surplus.md §2.4): link-ready announcements at start, then one heartbeat
// per slave per second carrying its current limit (0.01 A), the slave's state, maximum and actual
// current read back from its heartbeats, and a slave that stays silent 26 s dropped (its limit
// must then be treated as unknown). The limit is sent again while it is 0 A, as TWCManager does:
// a "no change" at 0 A makes chargers click their relay on and off every second. The caller drives time: poll(now) reads what arrived and
// sends what is due, so tests run on any clock.
//   TwcMaster master{port, {}};  master.set_limit_all(16);  every 100 ms: master.poll(now);
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/time.hpp"
#include "devices/serial/byte_channel.hpp"
#include "devices/twc/twc_messages.hpp"

namespace wattshare::twc {

struct TwcMasterOptions {
  std::uint16_t master_id = 0x7777;
  std::uint8_t sign = 0x77;
  Duration heartbeat_period = seconds(1);
  Duration silence_limit = seconds(26);
  Duration linkready_period = milliseconds(100);
  int linkready_count = 5;  // of each kind at start (the original sends 5–7)
  std::size_t max_slaves = 3;
};

struct TwcSlave {
  std::uint16_t id = 0;
  std::uint8_t sign = 0;
  Protocol protocol = Protocol::kV1;
  double rated_amps = 0;     // from its link-ready
  double limit_amps = 0;     // what we command
  double reported_max_amps = 0, actual_amps = 0;  // from its last heartbeat
  std::uint8_t state = kSlaveReady;
  // A car is plugged in, by the last state that said anything (05 and 0F keep the previous).
  bool car = false;
  TimePoint last_heard{};
  TimePoint next_heartbeat{};
  bool heard_heartbeat = false;
};

class TwcMaster {
 public:
  TwcMaster(ByteChannel& line, TwcMasterOptions o) : line_(line), o_(o) {}

  // Reads what arrived (waiting up to `wait` for the first byte), then sends what is due at `now`.
  void poll(TimePoint now, std::chrono::milliseconds wait = std::chrono::milliseconds(0));
  // The limit for one slave (new slaves start at `default_limit`, 0 A unless set).
  bool set_limit(std::uint16_t slave, double amps);
  void set_limit_all(double amps);
  [[nodiscard]] const std::vector<TwcSlave>& slaves() const { return slaves_; }
  [[nodiscard]] double total_actual_amps() const;
  // What happened since the last call: joins, drops, refused frames.
  std::vector<std::string> take_events() { return std::exchange(events_, {}); }
  [[nodiscard]] std::uint64_t frames_sent() const { return frames_sent_; }

 private:
  void receive(TimePoint now, std::chrono::milliseconds wait);
  void handle(const Message& m, TimePoint now);
  void send(const Bytes& message);

  ByteChannel& line_;
  TwcMasterOptions o_;
  TwcFrameDecoder rx_;
  std::vector<TwcSlave> slaves_;
  std::vector<std::string> events_;
  double default_limit_ = 0;
  int linkready_sent_ = 0;
  TimePoint next_linkready_{};
  bool started_ = false;
  std::uint64_t frames_sent_ = 0;
  std::uint64_t bad_seen_ = 0;
};

}  // namespace wattshare::twc
