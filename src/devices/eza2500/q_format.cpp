#include "devices/eza2500/q_format.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace wattshare::eza {
namespace {

using Int = __int128;

// A number as mantissa × 10^exponent (decimal text) or mantissa × 2^exponent (double).
struct Exact {
  Int mantissa = 0;  // may be negative
  int exponent = 0;
};

// Multiplies by base^n, or reports an overflow (the result is then far out of range anyway).
bool scale_up(Int& v, int base, int n) {
  for (int i = 0; i < n; ++i) {
    if (__builtin_mul_overflow(v, static_cast<Int>(base), &v)) return false;
  }
  return true;
}

// trunc((m × base^e) × 2^q × den / num), checked to fit an unsigned 16-bit word.
tl::expected<std::uint16_t, Error> to_raw(const QField& f, Exact x, int base, std::string_view shown) {
  auto out_of_range = [&] {
    return Error::bad_input(fmt::format("bad value: {}={}: outside what the field can carry (0 to {})",
                                        f.name, shown, decode(f, 65535)));
  };
  Int numerator = x.mantissa;
  Int denominator = f.rating_num;
  if (!scale_up(numerator, 2, f.q) ||
      __builtin_mul_overflow(numerator, static_cast<Int>(f.rating_den), &numerator)) {
    return tl::make_unexpected(out_of_range());
  }
  if (x.exponent >= 0) {
    if (!scale_up(numerator, base, x.exponent)) return tl::make_unexpected(out_of_range());
  } else if (!scale_up(denominator, base, -x.exponent)) {
    return std::uint16_t{0};  // |value| below any representable step: truncates to zero
  }
  const Int raw = numerator / denominator;  // C++ division truncates toward zero, as the driver
  if (raw < 0 || raw > 65535) return tl::make_unexpected(out_of_range());
  return static_cast<std::uint16_t>(raw);
}

}  // namespace

tl::expected<std::uint16_t, Error> encode_decimal(const QField& f, std::string_view text) {
  auto bad = [&](std::string_view why) {
    return tl::make_unexpected(
        Error::bad_input(fmt::format("bad value: {}={:?}: {}", f.name, text, why)));
  };
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  Exact x;
  int digits = 0, fraction_digits = 0;
  bool seen_point = false, any_digit = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' && !seen_point) {
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    any_digit = true;
    if (x.mantissa == 0 && c == '0') {  // leading zeros carry no digits
      if (seen_point) ++fraction_digits;
      continue;
    }
    if (++digits > 30) return bad("more than 30 significant digits");
    x.mantissa = x.mantissa * 10 + (c - '0');
    if (seen_point) ++fraction_digits;
  }
  if (!any_digit) return bad("not a decimal number");
  int exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    if (i == text.size()) return bad("exponent without digits");
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      if (exponent > 1000) return bad("exponent out of range");
      exponent = exponent * 10 + (text[i] - '0');
    }
    if (exp_negative) exponent = -exponent;
  }
  if (i != text.size()) return bad("not a decimal number");
  x.exponent = exponent - fraction_digits;
  while (x.mantissa != 0 && x.mantissa % 10 == 0) {  // "350.000" and "3.5e2" are one number
    x.mantissa /= 10;
    ++x.exponent;
  }
  if (negative) x.mantissa = -x.mantissa;
  return to_raw(f, x, 10, text);
}

tl::expected<std::uint16_t, Error> encode_double(const QField& f, double value) {
  if (!std::isfinite(value)) {
    return tl::make_unexpected(
        Error::bad_input(fmt::format("bad value: {}={}: not a finite number", f.name, value)));
  }
  int e = 0;
  const double fraction = std::frexp(value, &e);  // value = fraction × 2^e, |fraction| in [0.5, 1)
  Exact x{static_cast<Int>(std::ldexp(fraction, 53)), e - 53};
  return to_raw(f, x, 2, fmt::format("{}", value));
}

double decode(const QField& f, std::uint16_t raw) {
  const std::int64_t r = f.is_signed ? static_cast<std::int16_t>(raw) : raw;
  // Both products are exact integers; the one division rounds once.
  return static_cast<double>(r * f.rating_num) /
         static_cast<double>(f.rating_den * (std::int64_t{1} << f.q));
}

std::uint16_t encode_nearest(const QField& f, double value) {
  const double scaled = std::round(value * static_cast<double>(std::int64_t{1} << f.q) *
                                   static_cast<double>(f.rating_den) / static_cast<double>(f.rating_num));
  const double lo = f.is_signed ? -32768.0 : 0.0, hi = f.is_signed ? 32767.0 : 65535.0;
  const double clamped = std::isnan(scaled) ? 0.0 : std::clamp(scaled, lo, hi);
  return static_cast<std::uint16_t>(static_cast<std::int32_t>(clamped));
}

}  // namespace wattshare::eza
