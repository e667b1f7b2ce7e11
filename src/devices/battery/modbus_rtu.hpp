// Modbus RTU framing for the emulated battery (the server side; the driver's client side is
// libmodbus): CRC-16/MODBUS, read-register requests (functions 0x03 and 0x04), replies and
// exception replies (reference §8, §10.4).
//   auto req = parse_read_request(bytes);  Bytes reply = read_reply(1, 0x04, {800, 0});
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace wattshare::modbus {

using Bytes = std::vector<std::uint8_t>;

std::uint16_t crc16(std::span<const std::uint8_t> bytes);
// Appends the CRC, low byte first.
void append_crc(Bytes& frame);

struct ReadRequest {
  std::uint8_t slave = 0;
  std::uint8_t function = 0;  // 0x03 holding or 0x04 input registers
  std::uint16_t address = 0;
  std::uint16_t count = 0;
};
inline constexpr std::size_t kReadRequestSize = 8;

// An 8-byte frame with a valid CRC and function 0x01–0x7f, else nullopt.
std::optional<ReadRequest> parse_read_request(std::span<const std::uint8_t> frame);
Bytes read_request(const ReadRequest& r);
Bytes read_reply(std::uint8_t slave, std::uint8_t function, std::span<const std::uint16_t> registers);
Bytes exception_reply(std::uint8_t slave, std::uint8_t function, std::uint8_t code);

inline constexpr std::uint8_t kIllegalFunction = 0x01;
inline constexpr std::uint8_t kIllegalDataAddress = 0x02;
inline constexpr std::uint8_t kIllegalDataValue = 0x03;
inline constexpr std::uint8_t kServerDeviceFailure = 0x04;

}  // namespace wattshare::modbus
