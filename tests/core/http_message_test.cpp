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

// Who may talk to a listener: a table of requests and what each kind of listener answers.
TEST(ListenerAccess, BrowsersForeignHostsAndMissingTokensAreRefused) {
  struct Row {
    const char* what;
    HttpRequest request;
    int programs;   // a driver port: programs only
    int own_pages;  // the operator API with its dashboard
  };
  const auto req = [](std::string host, std::string origin = {}, std::string site = {}, bool fetch = false,
                      std::string method = "GET") {
    HttpRequest r{std::move(method), "/x", {}, {}};
    r.host = std::move(host);
    r.origin = std::move(origin);
    r.sec_fetch_site = std::move(site);
    r.sec_fetch = fetch || !r.sec_fetch_site.empty();
    return r;
  };
  const std::vector<Row> rows{
      {"apis-main on loopback", req("127.0.0.1:4390"), 0, 0},
      {"a program without Host", req(""), 0, 0},
      {"localhost, any case", req("LocalHost:4390"), 0, 0},
      {"an IPv6 literal", req("[::1]:4390"), 0, 0},
      {"another port on this host", req("127.0.0.1:9999"), 403, 403},
      {"a rebinding page's name", req("evil.example:4390"), 403, 403},
      {"a name that looks numeric", req("127.0.0.1.evil.example:4390"), 403, 403},
      {"a malformed Host", req("127.0.0.1:43x0"), 403, 403},
      {"an <img> from another site", req("127.0.0.1:4390", "", "cross-site", true), 403, 0},
      {"a form post from another site", req("127.0.0.1:4390", "http://evil.example", "cross-site", true, "POST"), 403, 403},
      {"the dashboard's own fetch", req("127.0.0.1:4390", "http://127.0.0.1:4390", "same-origin", true, "POST"), 403, 0},
      {"a sandboxed page", req("127.0.0.1:4390", "null"), 403, 403},
      {"an origin on another port", req("127.0.0.1:4390", "http://127.0.0.1:8080"), 403, 403},
  };
  for (const Row& row : rows) {
    for (const auto& [callers, expected] : {std::pair{ListenerAccess::Callers::kPrograms, row.programs},
                                            std::pair{ListenerAccess::Callers::kOwnPages, row.own_pages}}) {
      const auto refused = refusal(row.request, ListenerAccess{.callers = callers, .port = 4390});
      EXPECT_EQ(refused ? refused->status : 0, expected) << row.what;
    }
  }
  const auto page = refusal(req("127.0.0.1:4390", "http://evil.example"), {});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->body,
            R"({"error":"requests from web pages are refused here (an Origin or Sec-Fetch header): this port is for programs"})");
  const auto rebinding = refusal(req("evil.example:4390"), {.port = 4390});
  EXPECT_EQ(rebinding->body, R"({"error":"Host 'evil.example:4390' is not this server"})");
}

TEST(ListenerAccess, ATokenIsComparedWhole) {
  const ListenerAccess access{.port = 4380, .token = "0123456789abcdef"};
  HttpRequest r{"GET", "/all/get", {}, "Bearer 0123456789abcdef"};
  r.host = "127.0.0.1:4380";
  EXPECT_FALSE(refusal(r, access));
  for (const char* wrong : {"", "Bearer ", "Bearer 0123456789abcde", "Bearer 0123456789abcdef0", "Basic 0123456789abcdef",
                            "bearer 0123456789abcdef"}) {
    r.authorization = wrong;
    const auto refused = refusal(r, access);
    ASSERT_TRUE(refused) << wrong;
    EXPECT_EQ(refused->status, 401) << wrong;
  }
  EXPECT_TRUE(bearer_matches("Bearer t0k", "t0k"));
  EXPECT_FALSE(bearer_matches("Bearer ", ""));  // no token configured never matches
}

}  // namespace
}  // namespace wattshare
