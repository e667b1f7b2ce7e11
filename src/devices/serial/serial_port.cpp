#include "devices/serial/serial_port.hpp"

#include <fcntl.h>
#include <linux/serial.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

namespace wattshare {
namespace {

speed_t speed_of(int baud) {
  switch (baud) {
    case 1200: return B1200;
    case 2400: return B2400;
    case 4800: return B4800;
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    default: return 0;
  }
}

Error os_error(const std::string& what) {
  return Error::not_available(fmt::format("{}: {}", what, std::strerror(errno)));
}

}  // namespace

tl::expected<void, Error> make_raw(int fd, int baud, const std::string& what) {
  const speed_t speed = speed_of(baud);
  if (speed == 0) {
    return tl::make_unexpected(Error::invalid_config(
        fmt::format("{}: baud rate {} is not one of 1200…230400", what, baud)));
  }
  termios t{};
  if (tcgetattr(fd, &t) != 0) return tl::make_unexpected(os_error(what + ": tcgetattr"));
  cfmakeraw(&t);
  t.c_cflag |= CLOCAL | CREAD;
  t.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | PARENB | CRTSCTS);
  t.c_cc[VMIN] = 0;
  t.c_cc[VTIME] = 0;
  cfsetispeed(&t, speed);
  cfsetospeed(&t, speed);
  if (tcsetattr(fd, TCSANOW, &t) != 0) return tl::make_unexpected(os_error(what + ": tcsetattr"));
  return {};
}

tl::expected<std::unique_ptr<SerialPort>, Error> SerialPort::open(const SerialOptions& o) {
  const int fd = ::open(o.device.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return tl::make_unexpected(os_error("serial port " + o.device));
  std::unique_ptr<SerialPort> port{new SerialPort(o, fd)};
  if (auto raw = make_raw(fd, o.baud, "serial port " + o.device); !raw) {
    return tl::make_unexpected(raw.error());
  }
  if (o.rs485_rts) {
    serial_rs485 rs{};
    rs.flags = SER_RS485_ENABLED | SER_RS485_RTS_ON_SEND;
    if (ioctl(fd, TIOCSRS485, &rs) != 0) {
      return tl::make_unexpected(os_error("serial port " + o.device + ": RS485 mode (TIOCSRS485)"));
    }
  }
  port->discard_input();
  return port;
}

SerialPort::~SerialPort() {
  if (fd_ >= 0) ::close(fd_);
}

void SerialPort::discard_input() { tcflush(fd_, TCIFLUSH); }

tl::expected<void, Error> SerialPort::write(std::span<const std::uint8_t> bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) return tl::make_unexpected(os_error(o_.device + ": write"));
    pollfd p{fd_, POLLOUT, 0};
    if (::poll(&p, 1, 100) == 0) return tl::make_unexpected(Error::timeout(o_.device + ": write timed out"));
  }
  tcdrain(fd_);
  if (o_.local_echo) {  // our own bytes come back first: read and drop exactly as many
    std::vector<std::uint8_t> echo(bytes.size());
    std::size_t got = 0;
    while (got < echo.size()) {
      auto n = read(std::span{echo}.subspan(got), std::chrono::milliseconds(100));
      if (!n) return tl::make_unexpected(n.error());
      if (*n == 0) break;
      got += *n;
    }
  }
  return {};
}

tl::expected<std::size_t, Error> SerialPort::read(std::span<std::uint8_t> out,
                                                  std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (ready < 0 && errno != EINTR) return tl::make_unexpected(os_error(o_.device + ": poll"));
  if (ready <= 0) return std::size_t{0};
  const ssize_t n = ::read(fd_, out.data(), out.size());
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return std::size_t{0};
    return tl::make_unexpected(os_error(o_.device + ": read"));
  }
  return static_cast<std::size_t>(n);
}

}  // namespace wattshare
