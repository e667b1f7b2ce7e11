#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "p2p/frame.hpp"

namespace wattshare::p2p {
namespace {

TEST(P2pFrame, RoundTripsAndKeepsTheOriginalLayout) {
  const FrameBytes b = encode({19.0f, LinkStatus::kRunRecordStart, 7});
  // float32 19.0 = 0x41980000, little-endian; id and status 0x40 | 2.
  EXPECT_EQ(b[0], 0x00);
  EXPECT_EQ(b[1], 0x00);
  EXPECT_EQ(b[2], 0x98);
  EXPECT_EQ(b[3], 0x41);
  EXPECT_EQ(b[4], 0x42);
  EXPECT_EQ(b[5], 7);
  auto f = decode(b);
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->power_ref_w, 19.0f);
  EXPECT_EQ(f->status, LinkStatus::kRunRecordStart);
  EXPECT_EQ(f->sequence, 7);
}

TEST(P2pFrame, EverySingleBitFlipIsRejected) {
  const FrameBytes good = encode({19.0f, LinkStatus::kRun, 200});
  for (int bit = 0; bit < 64; ++bit) {
    FrameBytes b = good;
    b[bit / 8] ^= static_cast<std::uint8_t>(1 << (bit % 8));
    EXPECT_FALSE(decode(b)) << "bit " << bit;
  }
}

FrameBytes with_crc(FrameBytes b) {
  b[7] = crc8(std::span(b).first(7));
  return b;
}

TEST(P2pFrame, BadFramesNameTheByteAndTheProblem) {
  const FrameBytes good = encode({19.0f, LinkStatus::kRun, 0});
  EXPECT_EQ(decode(std::span(good).first(7)).error().message, "p2p frame: 7 bytes, expected 8");
  FrameBytes b = good;
  b[7] ^= 1;
  EXPECT_EQ(decode(b).error().message.substr(0, 24), "p2p frame: byte 7: CRC 0");
  b = good;
  b[4] = 0x81;
  EXPECT_EQ(decode(with_crc(b)).error().message, "p2p frame: byte 4: id bits 0x02, expected 0b01");
  b[4] = 0x43;
  EXPECT_EQ(decode(with_crc(b)).error().message, "p2p frame: byte 4: unknown status 3");
  b = good;
  b[6] = 0x10;
  EXPECT_EQ(decode(with_crc(b)).error().message, "p2p frame: byte 6: padding 0x10, expected 0");
  EXPECT_EQ(decode(encode({-1.0f, LinkStatus::kRun, 0})).error().message,
            "p2p frame: bytes 0-3: power reference -1 W outside [0, 300]");
  EXPECT_FALSE(decode(encode({std::numeric_limits<float>::quiet_NaN(), LinkStatus::kRun, 0})));
  EXPECT_FALSE(decode(encode({301.0f, LinkStatus::kRun, 0})));
}

TEST(P2pFrame, Crc8MatchesTheStandardCheckValue) {
  const std::uint8_t text[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  EXPECT_EQ(crc8(text), 0xf4);  // CRC-8/SMBUS check value
}

}  // namespace
}  // namespace wattshare::p2p
