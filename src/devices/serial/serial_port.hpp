// A serial port in raw 8N1 mode over termios, as the RS485 links of APIS hardware use it
// (reference §2): any standard baud rate, no flow control, optional kernel RS485 direction
// control (TIOCSRS485, RTS high while sending), and optional removal of the local echo that
// some RS485 adapters return.
//   auto port = SerialPort::open({.device = "/dev/ttyUSB0", .baud = 19200});
#pragma once

#include <memory>
#include <string>

#include "devices/serial/byte_channel.hpp"

namespace wattshare {

struct SerialOptions {
  std::string device;
  int baud = 19200;
  bool rs485_rts = false;   // kernel RS485 mode: RTS drives the transceiver's direction
  bool local_echo = false;  // the adapter returns what we send: drop it before reading
};

class SerialPort final : public ByteChannel {
 public:
  [[nodiscard]] static tl::expected<std::unique_ptr<SerialPort>, Error> open(const SerialOptions& o);
  ~SerialPort() override;
  SerialPort(const SerialPort&) = delete;
  SerialPort& operator=(const SerialPort&) = delete;

  void discard_input() override;
  tl::expected<void, Error> write(std::span<const std::uint8_t> bytes) override;
  tl::expected<std::size_t, Error> read(std::span<std::uint8_t> out,
                                        std::chrono::milliseconds timeout) override;
  [[nodiscard]] const std::string& device() const { return o_.device; }

 private:
  SerialPort(SerialOptions o, int fd) : o_(std::move(o)), fd_(fd) {}
  SerialOptions o_;
  int fd_ = -1;
};

// Puts a terminal file descriptor in raw 8N1 mode at `baud`; the message names what failed.
[[nodiscard]] tl::expected<void, Error> make_raw(int fd, int baud, const std::string& what);

}  // namespace wattshare
