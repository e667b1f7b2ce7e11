// Secrets: made random, written only for their owner from the first byte, compared in constant time.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "core/secret.hpp"
#include "support/temp_dir.hpp"

namespace wattshare {
namespace {

mode_t mode_of(const std::string& path) {
  struct stat st{};
  ::stat(path.c_str(), &st);
  return st.st_mode & 0777;
}

TEST(Secret, RandomSecretsAreHexOfTheAskedLengthAndDiffer) {
  const std::string a = random_secret(), b = random_secret();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos) << a;
  EXPECT_NE(a, b);
  EXPECT_EQ(random_secret(4).size(), 8u);
}

TEST(Secret, AFileIsCreatedForItsOwnerOnlyAndNeverOverwritten) {
  test::TempDir dir;
  const std::string path = dir.path("token");
  ASSERT_TRUE(write_secret_file(path, "s3cret-s3cret-s3cret"));
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(read_secret_file(path).value(), "s3cret-s3cret-s3cret");
  const auto again = write_secret_file(path, "other");
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find(path + ": cannot create: File exists"), std::string::npos) << again.error().message;
  EXPECT_EQ(read_secret_file(path).value(), "s3cret-s3cret-s3cret");
}

TEST(Secret, LoadOrMakeKeepsTheFirstSecret) {
  test::TempDir dir;
  const std::string path = dir.path("token");
  const auto first = load_or_make_secret_file(path);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(load_or_make_secret_file(path).value(), *first);
  EXPECT_EQ(mode_of(path), 0600u);
}

TEST(Secret, ASecretOthersCanReadIsRefusedWithItsMode) {
  test::TempDir dir;
  const std::string path = dir.write("password", "pw\n");
  ::chmod(path.c_str(), 0644);
  const auto r = read_secret_file(path);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, path + ": others may read this secret (mode 0644); chmod 600 it");
  ::chmod(path.c_str(), 0600);
  EXPECT_EQ(read_secret_file(path).value(), "pw");
  const std::string empty = dir.write("empty", "\n");
  ::chmod(empty.c_str(), 0600);
  EXPECT_EQ(read_secret_file(empty).error().message, empty + ": the first line is empty");
  EXPECT_NE(read_secret_file(dir.path("none")).error().message.find("cannot read"), std::string::npos);
}

TEST(Secret, EqualityComparesWholeTexts) {
  EXPECT_TRUE(secrets_equal("abcdef", "abcdef"));
  EXPECT_FALSE(secrets_equal("abcdef", "abcdeg"));
  EXPECT_FALSE(secrets_equal("abcdef", "abcde"));
  EXPECT_FALSE(secrets_equal("abc", "abcdef"));
  EXPECT_FALSE(secrets_equal("", "a"));
  EXPECT_TRUE(secrets_equal("", ""));
}

}  // namespace
}  // namespace wattshare
