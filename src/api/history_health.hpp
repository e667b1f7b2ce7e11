// How the history recording is doing: what /api/health and /metrics report about it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "core/error.hpp"

namespace wattshare {

struct HistoryHealth {
  std::size_t queued = 0;           // rows waiting for the store
  std::uint64_t write_errors = 0;   // refused writes, since start
  std::uint64_t dropped = 0;        // rows dropped from a full queue, since start
  std::optional<Error> last_error;  // the store's last refusal, until a write passes
  [[nodiscard]] bool ok() const { return !last_error && dropped == 0; }
};

}  // namespace wattshare
