#include "core/json_file.hpp"

#include <gtest/gtest.h>

#include "core/json_fields.hpp"

namespace wattshare {
namespace {

TEST(JsonFile, AcceptsCommentsTabsAndRepeatedKeys) {
  const char* text = R"({
	// a line comment in Japanese: 起動時に
	"#" : "first comment key",
	"a" : 1, /* block */
	"#" : "repeated comment key",
	"a" : 2
})";
  auto doc = parse_json_text(text, "test.json");
  ASSERT_TRUE(doc.has_value()) << doc.error().message;
  EXPECT_EQ((*doc)["a"], 2);  // the last occurrence wins
  EXPECT_EQ((*doc)["#"], "repeated comment key");
}

TEST(JsonFile, KeepsKeyOrderOfTheFile) {
  auto doc = parse_json_text(R"({"12:00:00-24:00:00": 1, "00:00:00-12:00:00": 2})", "s.json");
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(doc->begin().key(), "12:00:00-24:00:00");
}

TEST(JsonFile, SyntaxErrorNamesFileLineAndColumn) {
  auto doc = parse_json_text("{\n  \"a\": 1,\n  \"b\": ]\n}", "policy.json");
  ASSERT_FALSE(doc.has_value());
  EXPECT_EQ(doc.error().code, ErrorCode::kInvalidConfig);
  EXPECT_NE(doc.error().message.find("policy.json:3:"), std::string::npos) << doc.error().message;
  EXPECT_NE(doc.error().message.find("syntax error"), std::string::npos);
}

TEST(JsonFile, MissingFileIsAClearError) {
  auto doc = load_json_file("/nonexistent/wattshare.json");
  ASSERT_FALSE(doc.has_value());
  EXPECT_EQ(doc.error().message, "/nonexistent/wattshare.json: cannot open file");
}

TEST(JsonFields, CollectsEveryProblemWithItsKey) {
  auto doc = parse_json_text(R"({"a": {"b": "x"}, "n": 1.5, "list": ["ok", 3]})", "f.json");
  ASSERT_TRUE(doc.has_value());
  JsonFields f{*doc, "f.json"};
  EXPECT_EQ(f.number("a.b"), 0.0);
  EXPECT_EQ(f.integer("n"), 0);
  EXPECT_EQ(f.string("missing.key"), "");
  EXPECT_EQ(f.string_list("list").size(), 1u);
  EXPECT_EQ(f.number_or("absent", 7.0), 7.0);
  ASSERT_EQ(f.errors().size(), 4u);
  EXPECT_EQ(f.errors()[0], "f.json: key 'a.b': expected a number, got string \"x\"");
  EXPECT_EQ(f.errors()[1], "f.json: key 'n': expected an integer, got number 1.5");
  EXPECT_EQ(f.errors()[2], "f.json: key 'missing.key': missing (expected a string)");
  EXPECT_EQ(f.errors()[3], "f.json: key 'list': item 1: expected a string, got number 3");
}

}  // namespace
}  // namespace wattshare

namespace wattshare {
namespace {

TEST(JsonFields, AnIntegerFarOutOfRangeIsAnErrorNotACast) {
  auto doc = parse_json_text(R"({"n": 1e300, "m": -1e19, "k": 42.0})", "f.json");
  ASSERT_TRUE(doc.has_value());
  JsonFields f{*doc, "f.json"};
  EXPECT_EQ(f.integer("n"), 0);
  EXPECT_EQ(f.integer("m"), 0);
  EXPECT_EQ(f.integer("k"), 42);
  ASSERT_EQ(f.errors().size(), 2u);
  EXPECT_EQ(f.errors()[0], "f.json: key 'n': expected an integer, got number 1e+300");
}

TEST(JsonText, WholeNumberTakesOnlyWholeNumbersThatFit) {
  EXPECT_EQ(whole_number<int>(Json(42)), 42);
  EXPECT_EQ(whole_number<std::uint64_t>(Json(std::uint64_t{18446744073709551615u})), 18446744073709551615u);
  EXPECT_FALSE(whole_number<int>(Json(std::int64_t{1} << 40)));
  EXPECT_FALSE(whole_number<std::uint64_t>(Json(-1)));
  EXPECT_FALSE(whole_number<std::uint64_t>(Json(6.6e117)));
  EXPECT_FALSE(whole_number<int>(Json(3.0)));
  EXPECT_FALSE(whole_number<int>(Json("3")));
}

TEST(JsonText, ANumberBeyondADoubleIsAnErrorNotACrash) {
  const auto r = parse_json_text(R"({"reserve_w": 7777e777777777})", "s.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "s.json: number overflow parsing '7777e777777777'");
}

}  // namespace
}  // namespace wattshare
