// The EZA2500's 16-bit Q-format values (reference §4): raw 2^Q stands for the field's rating.
// Encoding is exact, as the original driver's Python Decimal arithmetic: an HTTP value is a
// decimal string taken digit by digit ("0.1" is exactly 1/10), a configured value is a double
// taken at its exact binary value (52.08 as a double is 52.0799…, so cib 52.08 → 8191, but the
// string "52.08" → 8192). Decoding gives raw × rating / 2^Q, rounded once to a double.
//   QField dig{"dig", 13, 78125, 10000};  encode_decimal(dig, "7.5") == 7864
#pragma once

#include <cstdint>
#include <string_view>

#include <tl/expected.hpp>

#include "core/error.hpp"

namespace wattshare::eza {

struct QField {
  std::string_view name;
  int q = 0;                  // raw 2^q == rating
  std::int64_t rating_num = 1;  // rating = rating_num / rating_den, exactly
  std::int64_t rating_den = 1;
  bool is_signed = false;     // 10-1 measurements are two's complement
};

// trunc(value × 2^q / rating) for a decimal text ("350", "0.1", "-0", "1e2"); refuses what is not
// a number and a raw value outside 0…65535, naming the field.
[[nodiscard]] tl::expected<std::uint16_t, Error> encode_decimal(const QField& f, std::string_view text);
// The same for a double at its exact binary value (configuration values).
[[nodiscard]] tl::expected<std::uint16_t, Error> encode_double(const QField& f, double value);
// raw × rating / 2^q; `raw` read as signed when the field is.
[[nodiscard]] double decode(const QField& f, std::uint16_t raw);
// The raw word nearest to `value`, clamped to the field's range (an emulated device measuring).
[[nodiscard]] std::uint16_t encode_nearest(const QField& f, double value);

}  // namespace wattshare::eza
