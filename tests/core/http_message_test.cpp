#include "core/http_message.hpp"

#include <gtest/gtest.h>

namespace wattshare {
namespace {

TEST(HttpMessage, ParsesPathAndDecodedQuery) {
  auto t = parse_target("/set/dcdc/E001?mode=0x0014&dvg=350&dig=2.3&drg=0%2E1");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->path, "/set/dcdc/E001");
  EXPECT_EQ(t->query.at("mode"), "0x0014");
  EXPECT_EQ(t->query.at("drg"), "0.1");
  EXPECT_EQ(split_path(t->path), (std::vector<std::string_view>{"set", "dcdc", "E001"}));
}

TEST(HttpMessage, RejectsBadTargets) {
  for (const char* bad : {"/x?a=%zz", "/x?a=%2", "/x?a=1&a=2", "no-slash", "/x?=1", "/x%00y"}) {
    auto t = parse_target(bad);
    EXPECT_FALSE(t.has_value()) << bad;
    if (!t) {
      EXPECT_EQ(t.error().code, ErrorCode::kBadInput);
    }
  }
}

TEST(HttpMessage, DecimalNumbersAreStrict) {
  double v = 0;
  EXPECT_TRUE(parse_decimal("350", v));
  EXPECT_EQ(v, 350);
  EXPECT_TRUE(parse_decimal("-1e-3", v));
  EXPECT_DOUBLE_EQ(v, -0.001);
  for (const char* bad : {"", "abc", "nan", "inf", "0x10", "3.5V", " 1", "1e999"})
    EXPECT_FALSE(parse_decimal(bad, v)) << bad;
}

}  // namespace
}  // namespace wattshare
