// Bytes from a hex dump as the references print frames: hex("05 00 00 10 00 10 00").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wattshare::test {

inline std::vector<std::uint8_t> hex(std::string_view text) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] == ' ') continue;
    out.push_back(static_cast<std::uint8_t>(std::stoul(std::string(text.substr(i, 2)), nullptr, 16)));
    ++i;
  }
  return out;
}

}  // namespace wattshare::test
