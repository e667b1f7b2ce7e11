#include "app/unit_files.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "store/deal_log_files.hpp"

namespace wattshare::app {

std::string apis_path(std::string_view format, std::string_view name) {
  const std::string tmpdir = apis_tmpdir();
  std::string out;
  for (std::size_t i = 0; i < format.size();) {
    if (format.substr(i).starts_with("{tmpdir}")) {
      out += tmpdir;
      i += 8;
    } else if (format.substr(i).starts_with("%s")) {
      out += name;
      i += 2;
    } else {
      out += format[i++];
    }
  }
  return out;
}

tl::expected<UnitLock, Error> UnitLock::take(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return tl::unexpected(Error::not_available(fmt::format("lock file {}: {}", path, std::strerror(errno))));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char pid[32] = {};
    const auto n = ::pread(fd, pid, sizeof pid - 1, 0);
    ::close(fd);
    return tl::unexpected(Error::rejected(fmt::format("another process of this unit holds {} (pid {})", path,
                                                      n > 0 ? std::string(pid, static_cast<std::size_t>(n)) : "unknown")));
  }
  const std::string me = std::to_string(::getpid());
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, me.data(), me.size(), 0) < 0) {
    // The lock holds without the pid in it; only the message of a refused second process loses it.
  }
  return UnitLock(fd);
}

UnitLock::~UnitLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the lock
}

tl::expected<std::optional<OperationMode>, Error> read_local_mode(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::optional<OperationMode>();
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) text.pop_back();
  if (text.empty() || text == "null") return std::optional<OperationMode>();
  auto m = parse_operation_mode(text);
  if (!m || (*m != OperationMode::kHeteronomous && *m != OperationMode::kStop))
    return tl::unexpected(Error::bad_input(
        fmt::format("{}: local operationMode '{}' not supported, default to null (follow global)", path, text)));
  return std::optional<OperationMode>(*m);
}

tl::expected<void, Error> write_local_mode(const std::string& path, std::optional<OperationMode> mode) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  std::ofstream out(path, std::ios::trunc);
  if (mode) out << to_string(*mode);
  if (!out.flush()) return tl::unexpected(Error::not_available(fmt::format("state file {}: cannot write", path)));
  return {};
}

}  // namespace wattshare::app
