// TWC Gen2 RS485: frames byte for byte (reference pv-surplus.md §2.4), the decoder's refusals,
// and the master against the emulated charger over a real pseudo-terminal in virtual time.
#include <atomic>

#include <gtest/gtest.h>

#include "support/hex.hpp"

#include "devices/serial/pty_server.hpp"
#include "devices/serial/serial_port.hpp"
#include "devices/twc/twc_emulator.hpp"
#include "devices/twc/twc_master.hpp"

namespace wattshare::twc {
namespace {

using test::hex;

std::vector<Bytes> decode_all(const Bytes& wire, TwcFrameDecoder& rx) {
  std::vector<Bytes> out;
  for (const std::uint8_t b : wire) {
    if (auto m = rx.feed(b)) out.push_back(*m);
  }
  return out;
}

TEST(TwcFrames, MatchTheProtocolByteForByte) {
  EXPECT_EQ(encode_twc_frame(master_linkready(kMasterLinkReady1, 0x7777, 0x77)),
            hex("C0 FC E1 77 77 77 00 00 00 00 00 00 00 00 46 C0"));
  EXPECT_EQ(encode_twc_frame(master_linkready(kMasterLinkReady2, 0x7777, 0x77)),
            hex("C0 FB E2 77 77 77 00 00 00 00 00 00 00 00 47 C0"));
  // "05 0f a0 … = limit to 40.00 A", protocol 1.
  EXPECT_EQ(encode_twc_frame(master_heartbeat(0x7777, 0xABCD, limit_command(Protocol::kV1, 40.0))),
            hex("C0 FB E0 77 77 AB CD 05 0F A0 00 00 00 00 FA C0"));
  // Protocol 2 limits with 09 and carries two more data bytes.
  EXPECT_EQ(master_heartbeat(0x7777, 0xABCD, limit_command(Protocol::kV2, 16.0)),
            hex("FB E0 77 77 AB CD 09 06 40 00 00 00 00 00 00"));
  // A slave's link-ready: 32.00 A = 0C 80 (EU), 80.00 A = 1F 40 (US).
  EXPECT_EQ(slave_linkready(0xABCD, 0xAB, 32.0, Protocol::kV1), hex("FD E2 AB CD AB 0C 80 00 00 00 00 00 00"));
  EXPECT_EQ(slave_linkready(0x1234, 0x56, 80.0, Protocol::kV2), hex("FD E2 12 34 56 1F 40 00 00 00 00 00 00 00 00"));
  EXPECT_EQ(slave_heartbeat(0xABCD, 0x7777, kSlaveCharging, 16.0, 15.5, Protocol::kV1),
            hex("FD E0 AB CD 77 77 01 06 40 06 0E 00 00"));
}

TEST(TwcFrames, EscapeDelimitersInsideTheFrame) {
  const Bytes m = master_heartbeat(0xC0DB, 0xABCD, no_change(Protocol::kV1));
  const Bytes wire = encode_twc_frame(m);
  EXPECT_EQ(Bytes(wire.begin(), wire.begin() + 7), hex("C0 FB E0 DB DC DB DD"));
  TwcFrameDecoder rx;
  const auto got = decode_all(wire, rx);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], m);
  const auto parsed = parse_message(got[0]);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->sender, 0xC0DB);
  EXPECT_EQ(parsed->receiver, 0xABCD);
}

TEST(TwcFrames, TheDecoderRefusesBadFramesAndResynchronises) {
  TwcFrameDecoder rx;
  Bytes corrupted = encode_twc_frame(master_linkready(kMasterLinkReady1, 0x7777, 0x77));
  corrupted[corrupted.size() - 2] ^= 0x10;
  EXPECT_TRUE(decode_all(corrupted, rx).empty());
  EXPECT_EQ(rx.last_problem(), "checksum 56, expected 46");
  EXPECT_TRUE(decode_all(hex("C0 01 02 03 C0"), rx).empty());
  EXPECT_EQ(rx.last_problem(), "frame of 3 bytes (expected 14, 16 or 20)");
  EXPECT_TRUE(decode_all(hex("C0 FB DB 00 C0"), rx).empty());
  EXPECT_EQ(rx.last_problem(), "escape DB followed by 00");
  EXPECT_EQ(rx.bad_frames(), 3u);
  // Noise, then two good frames sharing a delimiter.
  Bytes wire = hex("11 22");
  const Bytes a = encode_twc_frame(master_linkready(kMasterLinkReady1, 0x7777, 0x77));
  const Bytes b = encode_twc_frame(master_linkready(kMasterLinkReady2, 0x7777, 0x77));
  wire.insert(wire.end(), a.begin(), a.end());
  wire.insert(wire.end(), b.begin() + 1, b.end());
  EXPECT_EQ(decode_all(wire, rx).size(), 2u);
  EXPECT_FALSE(parse_message(hex("FB E0 01")));
}

class TwcLine : public ::testing::Test {
 protected:
  void SetUp() override {
    pty_ = PtyLink::create("").value();
    server_.add(*pty_, charger_);
    server_.run_in_background();
    port_ = SerialPort::open({.device = pty_->path(), .baud = 9600}).value();
    master_ = std::make_unique<TwcMaster>(*port_, TwcMasterOptions{});
  }
  // Steps virtual time by 100 ms until `done` (each poll waits briefly for the charger's bytes).
  template <typename Done>
  bool run_until(Done done, Duration limit) {
    for (const TimePoint end = now_ + limit; now_ < end; now_ += milliseconds(100)) {
      now_s_ = to_seconds(now_.time_since_epoch());
      master_->poll(now_, std::chrono::milliseconds(20));
      if (done()) return true;
    }
    return false;
  }
  bool actual_is(double amps) {
    return master_->slaves().size() == 1 && std::abs(master_->slaves()[0].actual_amps - amps) < 0.005;
  }

  std::atomic<double> now_s_{0};
  TimePoint now_{};
  TwcEmulator charger_{{}, [this] { return now_s_.load(); }};
  std::unique_ptr<PtyLink> pty_;
  PtyServer server_;  // after what it serves: it stops first
  std::unique_ptr<SerialPort> port_;
  std::unique_ptr<TwcMaster> master_;
};

TEST_F(TwcLine, TheMasterLinksUpAndTheChargerFollowsItsLimit) {
  master_->set_limit_all(16);
  ASSERT_TRUE(run_until([&] { return actual_is(16); }, seconds(30)));
  const TwcSlave& s = master_->slaves()[0];
  EXPECT_EQ(s.id, 0xABCD);
  EXPECT_EQ(s.protocol, Protocol::kV2);
  EXPECT_DOUBLE_EQ(s.rated_amps, 32);
  EXPECT_EQ(s.state, kSlaveCharging);
  EXPECT_DOUBLE_EQ(charger_.limit_amps(), 16);
  EXPECT_EQ(master_->take_events(), (std::vector<std::string>{"slave abcd joined (protocol 2, 32.00 A rated)"}));

  ASSERT_TRUE(master_->set_limit(0xABCD, 10.5));
  ASSERT_TRUE(run_until([&] { return actual_is(10.5); }, seconds(5)));
  master_->set_limit_all(4);  // below the car's 6 A minimum: it stops drawing and waits
  ASSERT_TRUE(run_until([&] { return actual_is(0); }, seconds(5)));
  EXPECT_EQ(master_->slaves()[0].state, kSlaveReadyToCharge);
  EXPECT_TRUE(master_->slaves()[0].car);
  master_->set_limit_all(100);  // never above the charger's rating
  ASSERT_TRUE(run_until([&] { return actual_is(16); }, seconds(10)));
  EXPECT_DOUBLE_EQ(master_->slaves()[0].limit_amps, 32);
}

// What real chargers report, from TWCManager's notes (lib/TWCManager/TWCSlave.py,
// send_slave_heartbeat): a plugged car waits in 04, starts in 08 (about 1.3 A for a few seconds),
// then charges in 01; protocol 2 echoes each limit change as 09 for about 12 s while the car goes
// on drawing. The master counts a car in every one of these states.
TEST_F(TwcLine, TheMasterSeesACarInEveryStateARealChargerReports) {
  std::vector<std::uint8_t> states;
  auto record = [&] {
    if (master_->slaves().size() != 1 || !master_->slaves()[0].heard_heartbeat) return;
    const std::uint8_t s = master_->slaves()[0].state;
    if (states.empty() || states.back() != s) states.push_back(s);
    EXPECT_TRUE(master_->slaves()[0].car) << "no car in state " << int(s);
  };
  ASSERT_TRUE(run_until([&] { record(); return !states.empty(); }, seconds(30)));  // 0 A: waiting
  master_->set_limit_all(16);
  ASSERT_TRUE(run_until([&] { record(); return actual_is(16) && states.back() == kSlaveCharging; }, seconds(20)));
  master_->set_limit_all(10);
  ASSERT_TRUE(run_until([&] { record(); return actual_is(10) && states.back() == kSlaveCharging; }, seconds(20)));
  EXPECT_EQ(states, (std::vector<std::uint8_t>{kSlaveReadyToCharge, kSlaveStarting, kSlaveCharging, kSlaveLimitEcho,
                                               kSlaveCharging}));
}

// TWCSlave.send_master_heartbeat: the 0 A limit goes out in every heartbeat ("always send code 05
// when desiredAmpsOffered == 0"; 09 in protocol 2), never a "no change", which leaves real
// chargers swinging between 01 and 03 with their relay clicking every second.
TEST_F(TwcLine, AtZeroAmpsTheMasterSendsTheLimitInEveryHeartbeat) {
  master_->set_limit_all(16);
  ASSERT_TRUE(run_until([&] { return actual_is(16); }, seconds(30)));
  ASSERT_TRUE(run_until([&] { return charger_.last_command() == 0x00; }, seconds(5)));  // settled: no change
  master_->set_limit_all(0);
  ASSERT_TRUE(run_until([&] { return actual_is(0); }, seconds(5)));
  for (int i = 0; i < 5; ++i) {
    const auto answered = charger_.heartbeats_answered();
    ASSERT_TRUE(run_until([&] { return charger_.heartbeats_answered() > answered; }, seconds(3)));
    EXPECT_EQ(charger_.last_command(), 0x09);
  }
}

TEST_F(TwcLine, ASilentChargerIsDroppedAfter26Seconds) {
  master_->set_limit_all(16);
  ASSERT_TRUE(run_until([&] { return actual_is(16); }, seconds(30)));
  master_->take_events();
  charger_.set_fault(TwcEmulator::Fault::kSilence);
  const TimePoint silent_from = now_;
  ASSERT_TRUE(run_until([&] { return master_->slaves().empty(); }, seconds(40)));
  EXPECT_GE(now_ - silent_from, seconds(25));
  EXPECT_LE(now_ - silent_from, seconds(28));
  const auto events = master_->take_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(events[0].starts_with("slave abcd silent for 2")) << events[0];
}

TEST_F(TwcLine, CorruptedRepliesAreRefusedAndReported) {
  charger_.set_fault(TwcEmulator::Fault::kBadChecksum);
  master_->set_limit_all(16);
  run_until([&] { return false; }, seconds(12));
  EXPECT_TRUE(master_->slaves().empty());  // nothing trusted from a corrupted line
  bool refused = false;
  for (const auto& e : master_->take_events()) refused |= e.starts_with("refused a frame: checksum");
  EXPECT_TRUE(refused);
  charger_.set_fault(TwcEmulator::Fault::kNone);
  EXPECT_TRUE(run_until([&] { return actual_is(16); }, seconds(30)));
}

}  // namespace
}  // namespace wattshare::twc
