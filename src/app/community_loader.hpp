// Loads a community for a command, applying the command-line overrides (--start, --seed).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <tl/expected.hpp>

#include "config/community.hpp"

namespace wattshare::app {

[[nodiscard]] tl::expected<CommunitySpec, Error> load_community_with(
    const std::string& config, const std::optional<std::string>& start,
    const std::optional<std::uint64_t>& seed);

}  // namespace wattshare::app
