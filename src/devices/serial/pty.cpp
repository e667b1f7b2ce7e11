#include "devices/serial/pty.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "devices/serial/serial_port.hpp"

namespace wattshare {

tl::expected<std::unique_ptr<PtyLink>, Error> PtyLink::create(const std::string& link_path) {
  std::unique_ptr<PtyLink> p{new PtyLink()};
  auto fail = [](const std::string& what) {
    return tl::make_unexpected(Error::not_available(fmt::format("pty: {}: {}", what, std::strerror(errno))));
  };
  p->master_ = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (p->master_ < 0) return fail("posix_openpt");
  if (grantpt(p->master_) != 0 || unlockpt(p->master_) != 0) return fail("grantpt/unlockpt");
  p->slave_name_ = ptsname(p->master_);
  p->slave_ = ::open(p->slave_name_.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (p->slave_ < 0) return fail("open " + p->slave_name_);
  // Raw on both sides: no echo, no line editing, no CR/LF translation of binary frames.
  if (auto r = make_raw(p->slave_, 19200, "pty " + p->slave_name_); !r) return tl::make_unexpected(r.error());
  if (auto r = make_raw(p->master_, 19200, "pty master"); !r) return tl::make_unexpected(r.error());
  const int flags = fcntl(p->master_, F_GETFL);
  fcntl(p->master_, F_SETFL, flags | O_NONBLOCK);
  if (!link_path.empty()) {
    struct stat st{};
    if (lstat(link_path.c_str(), &st) == 0) {
      if (!S_ISLNK(st.st_mode)) {
        return tl::make_unexpected(Error::invalid_config(
            fmt::format("pty link {}: a file that is not a symlink is already there", link_path)));
      }
      ::unlink(link_path.c_str());
    }
    if (::symlink(p->slave_name_.c_str(), link_path.c_str()) != 0) return fail("symlink " + link_path);
    p->link_ = link_path;
  }
  return p;
}

PtyLink::~PtyLink() {
  if (!link_.empty()) ::unlink(link_.c_str());
  if (slave_ >= 0) ::close(slave_);
  if (master_ >= 0) ::close(master_);
}

}  // namespace wattshare
