#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "p2p/scope.hpp"

namespace wattshare::p2p {
namespace {

std::vector<float> record(float k) { return {k, -k}; }

TEST(ScopeRecorder, DelayZeroKeepsOnePreTriggerRecordAndLengthMinusOneAfter) {
  ScopeRecorder scope(8, {"a", "b"});
  std::vector<ScopeRecorder::Status> statuses;
  for (int k = 0; k < 30; ++k) statuses.push_back(scope.acquire(record(static_cast<float>(k)), k >= 20));
  ASSERT_TRUE(scope.done());
  const std::vector<float> v = scope.in_time_order();
  ASSERT_EQ(v.size(), 16u);
  // Records 19 (before the trigger) then 20…26, oldest first.
  for (int k = 0; k < 8; ++k) {
    EXPECT_EQ(v[2 * k], 19 + k);
    EXPECT_EQ(v[2 * k + 1], -(19 + k));
  }
  EXPECT_EQ(statuses[19], ScopeRecorder::Status::kRecording);
  EXPECT_EQ(statuses[20], ScopeRecorder::Status::kTriggered);
  EXPECT_EQ(statuses[27], ScopeRecorder::Status::kDone);
}

TEST(ScopeRecorder, DecimationAndPreTriggerDelay) {
  ScopeRecorder scope(10, {"x"}, 4, 0.5);  // every 4th call; half the window before the trigger
  for (int k = 0; k < 200 && !scope.done(); ++k) {
    const float v = static_cast<float>(k);
    scope.acquire(std::span(&v, 1), k >= 100);
  }
  ASSERT_TRUE(scope.done());
  const std::vector<float> v = scope.in_time_order();
  ASSERT_EQ(v.size(), 10u);
  for (std::size_t i = 1; i < v.size(); ++i) EXPECT_EQ(v[i] - v[i - 1], 4);
  // As the original: delay·length + 1 records from before the trigger (76 … 96), then 100 … 112.
  EXPECT_EQ(v[0], 76);
  EXPECT_EQ(v[9], 112);
}

TEST(ScopeRecorder, RecordsOnlyOnceUntilRearmed) {
  ScopeRecorder scope(4, {"x"});
  const float one = 1;
  for (int k = 0; k < 10; ++k) scope.acquire(std::span(&one, 1), true);
  ASSERT_TRUE(scope.done());
  EXPECT_EQ(scope.acquire(std::span(&one, 1), true), ScopeRecorder::Status::kDone);
  scope.start();
  EXPECT_FALSE(scope.done());
  EXPECT_TRUE(scope.in_time_order().empty());
}

TEST(ScopeDump, RoundTripsThroughTheTextFormatAndCsvBitExact) {
  ScopeRecorder scope(16, {"I1_low", "V_high", "duty_cycle"});
  for (int k = 0; k < 40; ++k) {
    const float x = static_cast<float>(k);
    const std::vector<float> v{std::sin(x) * 3.3f, 46.74f + x * 1e-7f, 1.0f / (x + 3)};
    scope.acquire(v, k == 5);
  }
  const std::string dump = scope.dump();
  EXPECT_EQ(dump.substr(0, 40), "begin record\n#I1_low,V_high,duty_cycle,\n");
  EXPECT_EQ(dump.substr(dump.size() - 11), "end record\n");
  auto r = parse_scope_dump(dump);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->names, (std::vector<std::string>{"I1_low", "V_high", "duty_cycle"}));
  const std::vector<float> expected = scope.in_time_order();
  ASSERT_EQ(r->values, expected);
  // CSV → floats again, bit for bit.
  std::istringstream csv(to_csv(*r));
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line, "I1_low,V_high,duty_cycle");
  std::size_t i = 0;
  while (std::getline(csv, line)) {
    std::istringstream row(line);
    std::string cell;
    while (std::getline(row, cell, ',')) {
      ASSERT_LT(i, expected.size());
      EXPECT_EQ(std::bit_cast<std::uint32_t>(std::strtof(cell.c_str(), nullptr)),
                std::bit_cast<std::uint32_t>(expected[i]))
          << "value " << i << " '" << cell << "'";
      ++i;
    }
  }
  EXPECT_EQ(i, expected.size());
}

TEST(ScopeDump, ReadsASerialCaptureWithCrLfAndNoise) {
  auto r = parse_scope_dump("boot...\r\nbegin record\r\n#a,b,\r\n3f800000\r\n40000000\r\nend record\r\n>");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->values, (std::vector<float>{1.0f, 2.0f}));
  EXPECT_EQ(r->records(), 1u);
}

TEST(ScopeDump, BadDumpsNameTheLineAndTheProblem) {
  EXPECT_EQ(parse_scope_dump("hello\n").error().message, "scope dump, line 1: no 'begin record' line");
  EXPECT_EQ(parse_scope_dump("begin record\nI1,\n").error().message,
            "scope dump, line 2: expected the '#name,name,…,' line");
  EXPECT_EQ(parse_scope_dump("begin record\n#a,,b\n").error().message, "scope dump, line 2: empty channel name");
  EXPECT_EQ(parse_scope_dump("begin record\n#a,\n3f80000g\nend record\n").error().message,
            "scope dump, line 3: expected 8 hex digits, got '3f80000g'");
  EXPECT_EQ(parse_scope_dump("begin record\n#a,\n3f800000\n").error().message,
            "scope dump, line 3: no 'end record' line: the dump is cut short");
  EXPECT_EQ(parse_scope_dump("begin record\n#a,b,\n3f800000\nend record\n").error().message,
            "scope dump, line 4: 1 values is not a whole number of 2-channel records");
}

}  // namespace
}  // namespace wattshare::p2p
