#include "core/apis_time.hpp"

#include <gtest/gtest.h>

namespace wattshare {
namespace {

TEST(ApisTime, FormatsLocalTimeWithTheCommunityOffset) {
  const TimePoint t = from_civil(2020, 1, 1) + hours(12) + minutes(3) + seconds(4) + milliseconds(999);
  EXPECT_EQ(format_apis_time(t), "2020/01/01-12:03:04");
  EXPECT_EQ(format_apis_time(t, hours(9)), "2020/01/01-21:03:04");
  EXPECT_EQ(format_apis_time(from_civil(2020, 12, 31) + hours(20), hours(9)), "2021/01/01-05:00:00");
}

TEST(ApisTime, ParsesWhatItFormats) {
  const TimePoint t = from_civil(2024, 2, 29) + hours(23) + minutes(59) + seconds(58);
  auto back = parse_apis_time(format_apis_time(t, hours(9)), hours(9));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, t);
}

TEST(ApisTime, RejectsBadShapesWithAReason) {
  struct Case {
    const char* text;
    const char* why;
  };
  const Case cases[] = {
      {"2020/01/01 12:00:00", "wrong separators"},
      {"2020-01-01-12:00:00", "wrong separators"},
      {"2020/01/01-12:00", "wrong length"},
      {"2020/0a/01-12:00:00", "non-digit"},
      {"2021/02/29-12:00:00", "no such date"},
      {"2020/13/01-12:00:00", "no such date"},
      {"2020/01/01-24:00:00", "no such time of day"},
      {"2020/01/01-12:60:00", "no such time of day"},
      {"", "wrong length"},
  };
  for (const auto& c : cases) {
    auto r = parse_apis_time(c.text);
    ASSERT_FALSE(r.has_value()) << c.text;
    EXPECT_EQ(r.error().code, ErrorCode::kBadInput);
    EXPECT_NE(r.error().message.find(c.why), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("uuuu/MM/dd-HH:mm:ss"), std::string::npos);
  }
}

TEST(ApisTime, ParsesIsoDates) {
  EXPECT_EQ(parse_iso_date("2020-03-01").value(), from_civil(2020, 3, 1));
  EXPECT_FALSE(parse_iso_date("2020-02-30").has_value());
  EXPECT_FALSE(parse_iso_date("20200301").has_value());
}

}  // namespace
}  // namespace wattshare

#include "core/error.hpp"

namespace wattshare {
namespace {

TEST(ApisError, LogsInApisFormat) {
  const ApisError e{ErrorCategory::kHardware, ErrorExtent::kLocal, ErrorLevel::kError, "E003",
                    "dcdc meter ig 3.1 A out of range -2.35..2.35"};
  EXPECT_EQ(format_apis_error(e),
            "(HARDWARE:LOCAL:ERROR:E003) dcdc meter ig 3.1 A out of range -2.35..2.35");
  EXPECT_EQ(to_string(ErrorCode::kMustRetry), "must_retry");
}

}  // namespace
}  // namespace wattshare
