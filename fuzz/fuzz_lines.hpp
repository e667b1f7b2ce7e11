// Splits a fuzz input into request lines (at most `max_lines`), one call of `each` per line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace wattshare::fuzz {

template <typename Each>
void for_each_line(const std::uint8_t* data, std::size_t size, std::size_t max_lines, Each each) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::size_t start = 0;
  for (std::size_t n = 0; n < max_lines; ++n) {
    const auto nl = input.find('\n', start);
    each(input.substr(start, nl == std::string::npos ? std::string::npos : nl - start), n);
    if (nl == std::string::npos) return;
    start = nl + 1;
  }
}

}  // namespace wattshare::fuzz
