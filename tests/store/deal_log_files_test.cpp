// Deal log files as apis-main's mediator/DealLogging writes them.
#include "store/deal_log_files.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace wattshare {
namespace {

// DealLogging.LOG_DIR_FORMATTER_: APIS's default dealLogDirFormat, {tmpdir} fixed first
// (StringUtil.fixFilePath), then DateTimeFormatter.ofPattern on the deal's createDateTime.
TEST(DealLogFiles, FormatsApisDefaultDirectoryPattern) {
  const DateFields d{2026, 12, 3, 23, 10, 8};
  EXPECT_EQ(format_date_pattern("'{tmpdir}/apis/dealLog/'uuuu'/'MM'/'dd", d, "/var/tmp").value(),
            "/var/tmp/apis/dealLog/2026/12/03");
  EXPECT_EQ(format_date_pattern("'/logs/'yy'-'M'-'d' ''x'''HHmmss", d, "/tmp").value(), "/logs/26-12-3 'x'231008");
  EXPECT_EQ(format_date_pattern("'/logs/'uuuu'/'Q", d, "/tmp").error().message,
            "dealLogDirFormat ''/logs/'uuuu'/'Q': pattern letter 'Q' is not supported (u, y, M, d, H, m, s)");
  EXPECT_EQ(format_date_pattern("'/logs/uuuu", d, "/tmp").error().message,
            "dealLogDirFormat ''/logs/uuuu': a quote is not closed");
}

Json deal(const std::string& id, const std::string& activated) {
  return Json{{"dealId", id}, {"chargeUnitId", "E002"}, {"dischargeUnitId", "E001"},
              {"createDateTime", "2026/12/03-23:10:08"}, {"activateDateTime", activated}, {"dealAmountWh", 10}};
}

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// DealLogging.doDealLogging_ / writeToFile_: the units of a deal write it once it is worth saving
// (Deal.isSaveworthy: activated, or reset), at <dir>/<dealId>, replaced whole each time.
TEST(DealLogFiles, EachUnitOfADealWritesItOnceActivatedAndRewritesIt) {
  test::TempDir dir;
  auto files = DealLogFiles::open("'" + dir.path("") + "/dealLog/'uuuu'/'MM'/'dd", "E001");
  ASSERT_TRUE(files.has_value()) << files.error().message;
  EXPECT_EQ(files->write(deal("a1", "--")).value(), "");  // not activated yet: nothing
  const std::string path = dir.path("") + "/dealLog/2026/12/03/a1";
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_EQ(files->write(deal("a1", "2026/12/03-23:10:29")).value(), path);
  EXPECT_EQ(read(path), dump_json(deal("a1", "2026/12/03-23:10:29")));
  Json later = deal("a1", "2026/12/03-23:10:29");
  later["cumulateAmountWh"] = 7.5;
  ASSERT_TRUE(files->write(later).has_value());
  EXPECT_EQ(read(path), dump_json(later));
  Json reset = deal("r1", "--");
  reset["reset"] = Json::array({Json{{"dateTime", "2026/12/03-23:11:00"}, {"reason", "E001 : x"}}});
  EXPECT_TRUE(files->write(reset).value().ends_with("/r1"));
  // Not this unit's deal; a deal id that would leave the folder; a bad time.
  Json other = deal("o1", "2026/12/03-23:10:29");
  other["chargeUnitId"] = "E003";
  other["dischargeUnitId"] = "E004";
  EXPECT_EQ(files->write(other).value(), "");
  EXPECT_EQ(files->write(deal("../x", "2026/12/03-23:10:29")).error().message, "deal log: unusable dealId '../x'");
  Json bad = deal("b1", "2026/12/03-23:10:29");
  bad["createDateTime"] = "yesterday";
  EXPECT_EQ(files->write(bad).error().message, "deal log b1: createDateTime 'yesterday' is not uuuu/MM/dd-HH:mm:ss");
}

}  // namespace
}  // namespace wattshare
