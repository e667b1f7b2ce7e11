#include "core/secret.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include <fmt/format.h>

namespace wattshare {

std::string random_secret(std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  std::size_t got = 0;
  while (got < bytes) {
    const ssize_t n = ::getrandom(raw.data() + got, bytes - got, 0);
    if (n > 0) got += static_cast<std::size_t>(n);
  }
  std::string hex;
  for (unsigned char c : raw) hex += fmt::format("{:02x}", c);
  return hex;
}

tl::expected<void, Error> write_secret_file(const std::string& path, const std::string& secret) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return tl::unexpected(Error::not_available(fmt::format("{}: cannot create: {}", path, std::strerror(errno))));
  const std::string text = secret + "\n";
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const bool closed = ::close(fd) == 0;
  if (!written || !closed) return tl::unexpected(Error::not_available(fmt::format("{}: cannot write", path)));
  return {};
}

tl::expected<std::string, Error> read_secret_file(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) {
    return tl::unexpected(Error::not_available(fmt::format("{}: cannot read: {}", path, std::strerror(errno))));
  }
  if ((st.st_mode & 077) != 0) {
    return tl::unexpected(Error::invalid_config(
        fmt::format("{}: others may read this secret (mode {:04o}); chmod 600 it", path, st.st_mode & 0777)));
  }
  std::ifstream in{path};
  std::string secret;
  if (!std::getline(in, secret)) return tl::unexpected(Error::not_available(fmt::format("{}: cannot read", path)));
  if (secret.empty()) return tl::unexpected(Error::invalid_config(fmt::format("{}: the first line is empty", path)));
  return secret;
}

tl::expected<std::string, Error> load_or_make_secret_file(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) == 0) return read_secret_file(path);
  std::string secret = random_secret();
  if (auto r = write_secret_file(path, secret); !r) return tl::unexpected(r.error());
  return secret;
}

bool secrets_equal(std::string_view a, std::string_view b) {
  // Every byte of `a` is looked at, whatever the texts hold.
  std::size_t diff = a.size() ^ b.size();
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i]) ^ (i < b.size() ? static_cast<unsigned char>(b[i]) : 0u);
  }
  return diff == 0;
}

}  // namespace wattshare
