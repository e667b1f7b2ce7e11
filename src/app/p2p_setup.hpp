// What `wattshare p2p` and its console share: the pair built from the options and the
// rectifier's scope as the original example connects it.
#pragma once

#include <array>

#include "app/commands.hpp"
#include "p2p/pair_simulation.hpp"
#include "p2p/scope.hpp"

namespace wattshare::app {

p2p::PairConfig pair_config(const P2pOptions& o);
// 1024 records of the nine channels (reference §2.9), every 4th tick.
p2p::ScopeRecorder rectifier_scope();
std::array<float, 9> scope_channels(const p2p::TickRecord& r);

}  // namespace wattshare::app
