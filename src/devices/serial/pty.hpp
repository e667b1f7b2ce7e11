// A pseudo-terminal standing in for a serial device: the emulators hold the master side and
// link the slave's name at a path of the user's choice, which drivers then open like
// /dev/ttyUSB0. The emulator also keeps the slave open, so the master never sees a hang-up
// while drivers come and go.
//   auto pty = PtyLink::create("/tmp/eza");  // drivers open /tmp/eza
#pragma once

#include <memory>
#include <string>

#include <tl/expected.hpp>

#include "core/error.hpp"

namespace wattshare {

class PtyLink {
 public:
  // `link_path` empty: no link, use slave_name(). An existing symlink at the path is replaced;
  // any other file there is refused.
  [[nodiscard]] static tl::expected<std::unique_ptr<PtyLink>, Error> create(const std::string& link_path);
  ~PtyLink();
  PtyLink(const PtyLink&) = delete;
  PtyLink& operator=(const PtyLink&) = delete;

  [[nodiscard]] int master_fd() const { return master_; }
  [[nodiscard]] const std::string& slave_name() const { return slave_name_; }
  // The path drivers open: the link, or the slave's own name.
  [[nodiscard]] const std::string& path() const { return link_.empty() ? slave_name_ : link_; }

 private:
  PtyLink() = default;
  int master_ = -1;
  int slave_ = -1;
  std::string slave_name_;
  std::string link_;
};

}  // namespace wattshare
