// Deal logs as apis-main writes them (mediator/DealLogging): one file per deal, named by its id,
// under dealLogDirFormat formatted with the deal's createDateTime, holding the deal's APIS JSON;
// rewritten while the deal runs, by each unit involved. apis-main_controller and APIS's log tools
// read these files.
//   auto files = DealLogFiles::open(config.deal_log_dir_format, "E001");
//   files->write(deal_json(d, utc_offset));
#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "core/error.hpp"
#include "core/json_file.hpp"

namespace wattshare {

struct DateFields {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

// Java's DateTimeFormatter.ofPattern as dealLogDirFormat uses it: 'quoted text' ('' for a quote),
// u or y (year), M, d, H, m, s, repeated to pad with zeros. `{tmpdir}` in the text becomes
// `tmpdir` (APIS's StringUtil.fixFilePath). Another letter is refused, naming it.
[[nodiscard]] tl::expected<std::string, Error> format_date_pattern(std::string_view pattern, const DateFields& date,
                                                                   std::string_view tmpdir);

// APIS's {tmpdir} (java.io.tmpdir on Linux): $TMPDIR, else /tmp. Every APIS path format uses it.
std::string apis_tmpdir();

class DealLogFiles {
 public:
  // Checks the pattern once; `{tmpdir}` is $TMPDIR, else /tmp (java.io.tmpdir on Linux).
  static tl::expected<DealLogFiles, Error> open(std::string dir_format, std::string unit_id);

  // Writes `deal` (APIS deal JSON) if this unit is in it and it is worth saving (activated, or
  // reset: Deal.isSaveworthy), replacing the file whole (written aside, then renamed, so a reader
  // never sees half a file). Returns the path written, or nothing when the deal is not this
  // unit's to save; an error names the path.
  tl::expected<std::string, Error> write(const Json& deal) const;

 private:
  DealLogFiles(std::string dir_format, std::string unit_id, std::string tmpdir)
      : dir_format_(std::move(dir_format)), unit_id_(std::move(unit_id)), tmpdir_(std::move(tmpdir)) {}
  std::string dir_format_;
  std::string unit_id_;
  std::string tmpdir_;
};

}  // namespace wattshare
