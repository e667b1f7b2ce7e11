#include "devices/battery/modbus_rtu.hpp"

namespace wattshare::modbus {

std::uint16_t crc16(std::span<const std::uint8_t> bytes) {
  std::uint16_t crc = 0xFFFF;
  for (const std::uint8_t b : bytes) {
    crc ^= b;
    for (int i = 0; i < 8; ++i) crc = (crc & 1) ? static_cast<std::uint16_t>((crc >> 1) ^ 0xA001) : static_cast<std::uint16_t>(crc >> 1);
  }
  return crc;
}

void append_crc(Bytes& frame) {
  const std::uint16_t crc = crc16(frame);
  frame.push_back(static_cast<std::uint8_t>(crc & 0xff));
  frame.push_back(static_cast<std::uint8_t>(crc >> 8));
}

std::optional<ReadRequest> parse_read_request(std::span<const std::uint8_t> frame) {
  if (frame.size() != kReadRequestSize) return std::nullopt;
  const std::uint16_t crc = static_cast<std::uint16_t>(frame[6] | (frame[7] << 8));
  if (crc16(frame.first(6)) != crc || frame[1] == 0 || frame[1] >= 0x80) return std::nullopt;
  return ReadRequest{frame[0], frame[1], static_cast<std::uint16_t>((frame[2] << 8) | frame[3]),
                     static_cast<std::uint16_t>((frame[4] << 8) | frame[5])};
}

Bytes read_request(const ReadRequest& r) {
  Bytes f{r.slave, r.function, static_cast<std::uint8_t>(r.address >> 8), static_cast<std::uint8_t>(r.address),
          static_cast<std::uint8_t>(r.count >> 8), static_cast<std::uint8_t>(r.count)};
  append_crc(f);
  return f;
}

Bytes read_reply(std::uint8_t slave, std::uint8_t function, std::span<const std::uint16_t> registers) {
  Bytes f{slave, function, static_cast<std::uint8_t>(2 * registers.size())};
  for (const std::uint16_t r : registers) {
    f.push_back(static_cast<std::uint8_t>(r >> 8));
    f.push_back(static_cast<std::uint8_t>(r & 0xff));
  }
  append_crc(f);
  return f;
}

Bytes exception_reply(std::uint8_t slave, std::uint8_t function, std::uint8_t code) {
  Bytes f{slave, static_cast<std::uint8_t>(function | 0x80), code};
  append_crc(f);
  return f;
}

}  // namespace wattshare::modbus
