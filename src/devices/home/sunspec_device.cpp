#include "devices/home/sunspec_device.hpp"

namespace wattshare::home {

const tl::expected<sunspec::SiteReading, Error>& SunSpecDevice::read(TimePoint now) {
  if (read_at_ != now) {
    last_ = client_.read();
    read_at_ = now;
  }
  return last_;
}

}  // namespace wattshare::home
