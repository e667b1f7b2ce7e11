// A unit's files on its machine, as apis-main keeps them: the exclusive lock that refuses a second
// process of the same unit (fileSystemExclusiveLockFileFormat) and the state file that keeps its
// local mode across restarts (stateFileFormat, StateHandling's "operationMode").
//   auto lock = UnitLock::take(apis_path(cfg.lock_file_format, "unit-E001"));
//   auto mode = read_local_mode(apis_path(cfg.state_file_format, "operationMode"));
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "config/policy.hpp"
#include "core/error.hpp"

namespace wattshare::app {

// `format` with {tmpdir} ($TMPDIR, else /tmp) and %s (`name`) replaced, as APIS's
// StringUtil.fixFilePath and String.format do.
std::string apis_path(std::string_view format, std::string_view name);

class UnitLock {
 public:
  // Holds an exclusive lock on `path` (made with its folders) until destroyed; refused, naming
  // the path and the holder's pid, while another process holds it.
  static tl::expected<UnitLock, Error> take(const std::string& path);
  UnitLock(UnitLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  UnitLock& operator=(UnitLock&&) = delete;
  UnitLock(const UnitLock&) = delete;
  ~UnitLock();

 private:
  explicit UnitLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// The local mode the state file holds: none for a missing or empty file; an unknown value is an
// error naming the file (the caller warns and follows the global mode, as APIS does).
tl::expected<std::optional<OperationMode>, Error> read_local_mode(const std::string& path);
// Writes it (empty for none), with its folders; an error names the path.
tl::expected<void, Error> write_local_mode(const std::string& path, std::optional<OperationMode> mode);

}  // namespace wattshare::app
