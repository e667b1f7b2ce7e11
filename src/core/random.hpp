// Deterministic randomness without state: a value is a pure function of (seed, stream, index),
// so a house's PV or load at minute k is the same whatever order the simulation asks for it.
//   double u = uniform01(hash_key(seed, house_id, minute_index));
#pragma once

#include <cmath>
#include <cstdint>
#include <string_view>

namespace wattshare {

// splitmix64 finaliser: a fast bijective mix of 64 bits.
constexpr std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

constexpr std::uint64_t hash_key(std::uint64_t a, std::uint64_t b, std::uint64_t c = 0,
                                 std::uint64_t d = 0) {
  return mix64(mix64(mix64(mix64(a) ^ b) ^ c) ^ d);
}

// A text's 64-bit FNV-1a hash (a unit id as a key).
constexpr std::uint64_t hash_text(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : text) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return h;
}

// Uniform in [0, 1) from the top 53 bits.
constexpr double uniform01(std::uint64_t h) {
  return static_cast<double>(h >> 11) * (1.0 / 9007199254740992.0);
}

// Standard normal from two hashed uniforms (Box–Muller).
inline double normal01(std::uint64_t h) {
  const double u1 = uniform01(mix64(h)) + 1e-300;
  const double u2 = uniform01(mix64(h ^ 0x5851f42d4c957f2dULL));
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

}  // namespace wattshare
