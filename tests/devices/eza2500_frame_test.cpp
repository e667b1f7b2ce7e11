// EZA2500 frames and values byte for byte against the reference's examples (§3.3, §4, §10), and
// the link's receive and retry rules on exact reply bytes.
#include <cmath>
#include <deque>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "support/hex.hpp"

#include "devices/battery/battery_client.hpp"
#include "devices/battery/modbus_rtu.hpp"
#include "devices/eza2500/link.hpp"

namespace wattshare::eza {
namespace {

using test::hex;

std::uint16_t dec(const CommandSpec& c, std::size_t f, std::string_view text) {
  return encode_decimal(c.fields[f].q, text).value();
}
std::uint16_t dbl(const CommandSpec& c, std::size_t f, double v) { return encode_double(c.fields[f].q, v).value(); }

Bytes request(const CommandSpec& c, const Words& w, std::uint8_t ad1 = 0x00, std::uint8_t ad2 = 0x10) {
  return encode_frame(kRequestSfd, ad1, ad2, c.code, pack(c, w));
}

// Feeds a reply through the assembler and unpacks it as `c`'s ACK.
Words ack(const CommandSpec& c, std::string_view frame) {
  FrameAssembler rx{kResponseSfd};
  const Bytes bytes = hex(frame);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto step = rx.feed(bytes[i]);
    const auto expected = i + 1 < bytes.size() ? FrameAssembler::Step::kNeedMore : FrameAssembler::Step::kComplete;
    EXPECT_EQ(step, expected) << "byte " << i;
  }
  EXPECT_EQ(rx.frame().cmd, c.code);
  return unpack(c, rx.frame().payload).value();
}

TEST(Eza2500Frame, ChecksumMatchesTheDriverTestVectors) {
  const Bytes ascii = hex("31 32 33 34 35 36 37 38 39");
  EXPECT_EQ(checksum(std::span{ascii}.subspan(2, 5)), 0x0109);
  EXPECT_EQ(encode_frame(kRequestSfd, 0x31, 0x32, 0x00, {}), hex("05 00 31 32 00 63 00"));
}

TEST(Eza2500Frame, SelfTestRoundTripsWithAddressesOneAndTwo) {
  EXPECT_EQ(request(kCmd1_1, {}, 1, 2), hex("05 00 01 02 00 03 00"));
  EXPECT_EQ(request(kCmd1_4, {0}, 1, 2), hex("05 02 01 02 00 00 00 03 00"));
  EXPECT_EQ(request(kCmd2_1, {}, 1, 2), hex("05 00 01 02 01 04 00"));
  EXPECT_EQ(request(kCmd3_4, {dbl(kCmd3_4, 0, 47.0), dbl(kCmd3_4, 1, 1.9995)}, 1, 2),
            hex("05 04 01 02 18 AA 3E FB 3F 3D 02"));
  EXPECT_EQ(request(kCmd4_1, {}, 1, 2), hex("05 00 01 02 1A 1D 00"));
  EXPECT_EQ(request(kCmd4_4, {dbl(kCmd4_4, 0, 325.0), dbl(kCmd4_4, 1, 1.9995)}, 1, 2),
            hex("05 04 01 02 1A BC 36 FB 3F 49 02"));
  EXPECT_EQ(request(kCmd6_1, {}, 1, 2), hex("05 00 01 02 1C 1F 00"));
  EXPECT_EQ(request(kCmd6_4,
                    {dbl(kCmd6_4, 0, 28.385), dbl(kCmd6_4, 1, 4.2581), dbl(kCmd6_4, 2, 50.0),
                     dbl(kCmd6_4, 3, 342.5), dbl(kCmd6_4, 4, 50.0), dbl(kCmd6_4, 5, 342.5)},
                    1, 2),
            hex("05 0C 01 02 1C 70 11 70 11 AA 42 AF 39 AA 42 AF 39 C9 04"));
  EXPECT_EQ(request(kCmd7_4,
                    {0, dbl(kCmd7_4, 1, 47.0), dbl(kCmd7_4, 2, 48.0), dbl(kCmd7_4, 3, 6.0), dbl(kCmd7_4, 4, 6.0)},
                    1, 2),
            hex("05 0A 01 02 1D 00 00 AA 3E 00 40 00 08 00 08 58 01"));
  EXPECT_EQ(request(kCmd9_1, {}, 1, 2), hex("05 00 01 02 12 15 00"));
  EXPECT_EQ(request(kCmd9_4, {0, 0}, 1, 2), hex("05 02 01 02 12 00 00 15 00"));
  EXPECT_EQ(request(kCmd10_1, {}, 1, 2), hex("05 00 01 02 09 0C 00"));

  EXPECT_EQ(ack(kCmd1_1, "02 02 01 02 00 00 00 03 00"), (Words{0}));
  EXPECT_EQ(ack(kCmd2_1, "02 04 01 02 01 00 00 00 00 04 00"), (Words{0, 0}));
  const Words vdis = ack(kCmd4_1, "02 04 01 02 1A BC 36 FB 3F 49 02");
  EXPECT_EQ(vdis, (Words{14012, 16379}));
  EXPECT_DOUBLE_EQ(value(kCmd4_1, field::kDvg, vdis[0]), 324.9853515625);
  EXPECT_DOUBLE_EQ(value(kCmd4_1, field::kDrg, vdis[1]), 1.9993896484375);
  EXPECT_EQ(ack(kCmd9_1, "02 06 01 02 12 00 00 00 00 00 00 15 00"), (Words{0, 0, 0}));
  EXPECT_EQ(ack(kCmd10_1, "02 10 01 02 09 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 0C 00"), Words(8, 0));
}

TEST(Eza2500Frame, RequestsWithTheShippedAddressesAndConfiguration) {
  EXPECT_EQ(request(kCmd1_1, {}), hex("05 00 00 10 00 10 00"));
  EXPECT_EQ(request(kCmd1_4, {0x0000}), hex("05 02 00 10 00 00 00 10 00"));
  EXPECT_EQ(request(kCmd1_4, {0x0002}), hex("05 02 00 10 00 02 00 12 00"));
  EXPECT_EQ(request(kCmd1_4, {0x0014}), hex("05 02 00 10 00 14 00 24 00"));
  EXPECT_EQ(request(kCmd1_4, {0x0041}), hex("05 02 00 10 00 41 00 51 00"));
  EXPECT_EQ(request(kCmd2_1, {}), hex("05 00 00 10 01 11 00"));
  EXPECT_EQ(encode_frame(kRequestSfd, 0, 0x10, 0x18, {}), hex("05 00 00 10 18 28 00"));  // 3-1
  EXPECT_EQ(request(kCmd3_4, {dbl(kCmd3_4, 0, 57.6), dbl(kCmd3_4, 1, 0.0)}), hex("05 04 00 10 18 CC 4C 00 00 40 01"));
  EXPECT_EQ(request(kCmd4_1, {}), hex("05 00 00 10 1A 2A 00"));
  EXPECT_EQ(request(kCmd4_4, {dec(kCmd4_4, 0, "350"), dec(kCmd4_4, 1, "0.1")}), hex("05 04 00 10 1A F2 3A 33 03 8C 01"));
  EXPECT_EQ(request(kCmd4_4, {dec(kCmd4_4, 0, "380"), dec(kCmd4_4, 1, "0")}), hex("05 04 00 10 1A 00 40 00 00 6A 00"));
  EXPECT_EQ(request(kCmd6_1, {}), hex("05 00 00 10 1C 2C 00"));
  auto block = [](std::string_view dig) {
    return Words{dbl(kCmd6_4, 0, 52), dec(kCmd6_4, 1, dig), dbl(kCmd6_4, 2, 40),
                 dbl(kCmd6_4, 3, 300), dbl(kCmd6_4, 4, 59), dbl(kCmd6_4, 5, 400)};
  };
  EXPECT_EQ(request(kCmd6_4, block("2")), hex("05 0C 00 10 1C F3 1F 31 08 55 35 86 32 AA 4E 5E 43 52 04"));
  EXPECT_EQ(request(kCmd6_4, block("7.5")), hex("05 0C 00 10 1C F3 1F B8 1E 55 35 86 32 AA 4E 5E 43 EF 04"));
  EXPECT_EQ(encode_frame(kRequestSfd, 0, 0x10, 0x1D, {}), hex("05 00 00 10 1D 2D 00"));  // 7-1
  EXPECT_EQ(request(kCmd7_4, {0x0003, dbl(kCmd7_4, 1, 57.6), dbl(kCmd7_4, 2, 49), dbl(kCmd7_4, 3, 1.2),
                              dbl(kCmd7_4, 4, 1.8)}),
            hex("05 0A 00 10 1D 03 00 CC 4C 55 41 99 01 66 02 E0 02"));
  EXPECT_EQ(request(kCmd9_1, {}), hex("05 00 00 10 12 22 00"));
  EXPECT_EQ(request(kCmd9_4, {0, 0}), hex("05 02 00 10 12 00 00 22 00"));
  EXPECT_EQ(request(kCmd10_1, {}), hex("05 00 00 10 09 19 00"));
}

TEST(Eza2500Frame, ResponsesDecodeAsTheDriverDecodesThem) {
  EXPECT_EQ(ack(kCmd1_1, "02 02 00 10 00 14 00 24 00"), (Words{0x0014}));
  EXPECT_EQ(ack(kCmd2_1, "02 04 00 10 01 05 00 00 00 16 00"), (Words{0x0005, 0}));
  const Words p = ack(kCmd6_1, "02 0C 00 10 1C F3 1F 31 08 55 35 86 32 AA 4E 5E 43 52 04");
  EXPECT_DOUBLE_EQ(value(kCmd6_1, field::kCib, p[0]), 51.997353515625);
  EXPECT_DOUBLE_EQ(value(kCmd6_1, field::kDig, p[1]), 1.99985504150390625);
  EXPECT_DOUBLE_EQ(value(kCmd6_1, field::kUbv, p[2]), 39.9990234375);
  EXPECT_DOUBLE_EQ(value(kCmd6_1, field::kUgv, p[3]), 299.98291015625);
  EXPECT_DOUBLE_EQ(value(kCmd6_1, field::kObv, p[4]), 58.998046875);
  EXPECT_DOUBLE_EQ(value(kCmd6_1, field::kOgv, p[5]), 399.99267578125);
  const Words m = ack(kCmd10_1, "02 10 00 10 09 00 40 31 08 55 45 DC F9 6E 02 92 FD 00 00 80 0C 8C 05");
  EXPECT_DOUBLE_EQ(value(kCmd10_1, field::kVg, m[0]), 380);
  EXPECT_DOUBLE_EQ(value(kCmd10_1, field::kIg, m[1]), 1.99985504150390625);
  EXPECT_DOUBLE_EQ(value(kCmd10_1, field::kVb, m[2]), 51.9990234375);
  EXPECT_DOUBLE_EQ(value(kCmd10_1, field::kIb, m[3]), -9.9938671875);
  EXPECT_DOUBLE_EQ(value(kCmd10_1, field::kWg, m[4]), 759.27734375);
  EXPECT_DOUBLE_EQ(value(kCmd10_1, field::kWb, m[5]), -759.27734375);
  EXPECT_DOUBLE_EQ(value(kCmd10_1, field::kTmp, m[7]), 25);
  EXPECT_EQ(unpack(kCmd6_1, hex("00 00")).error().message, "6-1: reply carries 2 payload bytes, expected 12");
}

TEST(Eza2500QFormat, EdgeCases) {
  const QField& cib = kCmd6_4.fields[field::kCib].q;
  const QField& dig = kCmd6_4.fields[field::kDig].q;
  const QField& dvg = kCmd4_4.fields[field::kDvg].q;
  EXPECT_EQ(encode_double(cib, 52.08).value(), 8191);   // the double is 52.0799…
  EXPECT_EQ(encode_decimal(cib, "52.08").value(), 8192);  // the text is exact
  EXPECT_EQ(encode_decimal(dvg, "380").value(), 0x4000);
  EXPECT_EQ(encode_decimal(dvg, "3.5e2").value(), 15090);
  EXPECT_EQ(encode_decimal(dvg, "350.000").value(), 15090);
  EXPECT_EQ(encode_decimal(dig, "7.5").value(), 7864);
  EXPECT_EQ(encode_decimal(dig, "-0.0001").value(), 0);  // truncation toward zero
  EXPECT_EQ(encode_decimal(dig, "0.00095367431640625").value(), 1);  // exactly one step
  EXPECT_EQ(encode_decimal(dig, "0.00095367431640624").value(), 0);
  EXPECT_EQ(encode_decimal(dvg, "1e-40").value(), 0);
  EXPECT_EQ(encode_double(dvg, 1e-300).value(), 0);
  EXPECT_EQ(encode_decimal(dig, "62.49904632568359375").value(), 65535);
  EXPECT_EQ(encode_decimal(dig, "62.5").error().message,
            "bad value: dig=62.5: outside what the field can carry (0 to 62.499046325683594)");
  EXPECT_EQ(encode_decimal(dvg, "-1").error().code, ErrorCode::kBadInput);
  EXPECT_EQ(encode_decimal(dvg, "1e999").error().code, ErrorCode::kBadInput);
  EXPECT_EQ(encode_decimal(dvg, "abc").error().message, "bad value: dvg=\"abc\": not a decimal number");
  EXPECT_EQ(encode_decimal(dvg, "").error().code, ErrorCode::kBadInput);
  EXPECT_EQ(encode_decimal(dvg, "1.2.3").error().code, ErrorCode::kBadInput);
  EXPECT_EQ(encode_decimal(dvg, "nan").error().code, ErrorCode::kBadInput);
  EXPECT_EQ(encode_double(dvg, std::nan("")).error().code, ErrorCode::kBadInput);
  // Signed measurements: two's complement.
  const QField& ib = kCmd10_1.fields[field::kIb].q;
  EXPECT_DOUBLE_EQ(decode(ib, 0xF9DC), -9.9938671875);
  EXPECT_EQ(encode_nearest(ib, -9.9938671875), 0xF9DC);
  EXPECT_EQ(encode_nearest(ib, -1e9), 0x8000);  // clamped
}

// A line that answers with fixed bytes: the converter's exact replies for the error paths.
class ScriptedLine final : public ByteChannel {
 public:
  std::deque<Bytes> replies;
  int writes = 0;
  void discard_input() override {}
  tl::expected<void, Error> write(std::span<const std::uint8_t>) override {
    ++writes;
    if (!replies.empty()) {
      pending_ = replies.front();
      replies.pop_front();
    }
    return {};
  }
  tl::expected<std::size_t, Error> read(std::span<std::uint8_t> out, std::chrono::milliseconds) override {
    const std::size_t n = std::min(out.size(), pending_.size());
    std::copy_n(pending_.begin(), n, out.begin());
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<long>(n));
    return n;
  }

 private:
  Bytes pending_;
};

LinkOptions quick() {
  LinkOptions o;
  o.converter_address = 1;
  o.host_address = 2;
  o.command_gap = std::chrono::milliseconds(0);
  o.retry_wait = std::chrono::milliseconds(0);
  o.reply_timeout = std::chrono::milliseconds(1);
  return o;
}

TEST(Eza2500Link, SelfTestErrorFramesAreRetriedThenReported) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"02 02 01 02 00 00 00 00 00", "1-1: checksum error"},
      // The original reports a value error here (it looks at CMD before the sum, which is also
      // wrong in this vector: 01+02+01 = 04); both are resent, and the sum decides first here.
      {"02 02 01 02 01 00 00 03 00", "1-1: checksum error"},
      {"02 02 01 02 81 00 00 84 00",
       "1-1: bad reply: cmd 0x81 with 2 payload bytes (expected cmd 0x00 with 2, or a 2-byte NAK 0x80)"},
  };
  for (const auto& [frame, message] : cases) {
    ScriptedLine line;
    for (int i = 0; i < 4; ++i) line.replies.push_back(hex(frame));
    Eza2500Link link{line, quick()};
    auto r = link.transact(kCmd1_1);
    ASSERT_FALSE(r) << frame;
    EXPECT_EQ(r.error().message, message);
    EXPECT_EQ(line.writes, 4) << "one try and three resends: " << frame;
  }
}

TEST(Eza2500Link, NakCodesFollowTheRetryTable) {
  // ERCD 0x0000 (the self-test's well-formed NAK) is retried like fffd/fffc.
  for (const auto& [ercd, attempts] : std::vector<std::pair<std::uint16_t, int>>{
           {0xFFFF, 1}, {0xFFFE, 1}, {0xFFFB, 1}, {0xFFFD, 4}, {0xFFFC, 4}, {0x0000, 4}}) {
    ScriptedLine line;
    const Bytes code{static_cast<std::uint8_t>(ercd & 0xff), static_cast<std::uint8_t>(ercd >> 8)};
    for (int i = 0; i < 4; ++i) line.replies.push_back(encode_frame(kResponseSfd, 1, 2, 0x80, code));
    Eza2500Link link{line, quick()};
    auto r = link.transact(kCmd1_1);
    ASSERT_FALSE(r);
    EXPECT_EQ(line.writes, attempts) << std::hex << ercd;
    EXPECT_TRUE(r.error().message.starts_with(fmt::format("1-1: error: ERCD={:04x} (", ercd))) << r.error().message;
  }
  // A transient NAK, then the ACK: success on the second attempt.
  ScriptedLine line;
  line.replies = {hex("02 02 00 10 80 FD FF 8C 02"), hex("02 02 01 02 00 14 00 17 00")};
  Eza2500Link link{line, quick()};
  EXPECT_EQ(link.transact(kCmd1_1).value(), (Words{0x0014}));
  EXPECT_EQ(link.stats().naks, 1u);
}

TEST(Eza2500Link, TimeoutsAndErrorsHaveIndependentBudgets) {
  ScriptedLine line;  // 3 silent attempts, 3 bad checksums, then an answer: the 7th attempt wins
  for (int i = 0; i < 3; ++i) line.replies.push_back({});
  for (int i = 0; i < 3; ++i) line.replies.push_back(hex("02 02 01 02 00 00 00 00 00"));
  line.replies.push_back(hex("02 02 01 02 00 00 00 03 00"));
  Eza2500Link link{line, quick()};
  EXPECT_EQ(link.transact(kCmd1_1).value(), (Words{0}));
  EXPECT_EQ(line.writes, 7);
  EXPECT_EQ(link.stats().timeouts, 3u);
  EXPECT_EQ(link.stats().checksum_errors, 3u);

  ScriptedLine silent;
  Eza2500Link mute{silent, quick()};
  auto r = mute.transact(kCmd10_1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout);
  EXPECT_EQ(r.error().message, "10-1: timeout (no complete reply within 1 ms)");
  EXPECT_EQ(silent.writes, 4);
}

TEST(Eza2500Link, GarbageBeforeTheReplyIsSkipped) {
  ScriptedLine line;
  line.replies.push_back(hex("FF 00 13 02 02 01 02 00 41 00 44 00"));
  Eza2500Link link{line, quick()};
  EXPECT_EQ(link.transact(kCmd1_1).value(), (Words{0x0041}));
  EXPECT_EQ(line.writes, 1);
}

TEST(BatteryModbusFrames, MatchTheReferenceExamples) {
  EXPECT_EQ(modbus::read_request({1, 0x04, 0x001D, 2}), hex("01 04 00 1D 00 02 E1 CD"));
  EXPECT_EQ(modbus::read_request({1, 0x04, 0x001E, 1}), hex("01 04 00 1E 00 01 51 CC"));
  EXPECT_EQ(modbus::read_request({1, 0x03, 0x0000, 1}), hex("01 03 00 00 00 01 84 0A"));
  EXPECT_EQ(modbus::read_request({1, 0x04, 0x0000, 1}), hex("01 04 00 00 00 01 31 CA"));
  const std::uint16_t permit[] = {800, 0}, deny[] = {620, 1}, s0[] = {0}, s1[] = {1};
  EXPECT_EQ(modbus::read_reply(1, 0x04, permit), hex("01 04 04 03 20 00 00 FA 0A"));
  EXPECT_EQ(modbus::read_reply(1, 0x04, deny), hex("01 04 04 02 6C 00 01 FB E1"));
  EXPECT_EQ(modbus::read_reply(1, 0x04, s0), hex("01 04 02 00 00 B9 30"));
  EXPECT_EQ(modbus::read_reply(1, 0x04, s1), hex("01 04 02 00 01 78 F0"));
  EXPECT_EQ(modbus::exception_reply(1, 0x04, modbus::kIllegalDataAddress), hex("01 84 02 C2 C1"));
  const auto parsed = modbus::parse_read_request(hex("01 04 00 1D 00 02 E1 CD"));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->address, 0x001D);
  EXPECT_EQ(parsed->count, 2);
  EXPECT_FALSE(modbus::parse_read_request(hex("01 04 00 1D 00 02 E1 CE")));
}

TEST(BatteryModbusFrames, RegistersConvertToApisValues) {
  EXPECT_DOUBLE_EQ(battery_reading(800, 0).value().rsoc_pct, 80.0);
  EXPECT_EQ(battery_reading(800, 0).value().permission, BatteryPermission::kPermit);
  EXPECT_EQ(battery_reading(620, 1).value().permission, BatteryPermission::kDeny);
  EXPECT_EQ(battery_reading(620, 0xFFFE).value().permission, BatteryPermission::kPermit);  // reserved bits
  EXPECT_EQ(battery_reading(1001, 0).error().message, "battery: RSOC register reads 1001 (above 1000 = 100.0 %)");
}

}  // namespace
}  // namespace wattshare::eza
