#include "app/community_loader.hpp"

#include <cstdio>
#include <set>

#include <fmt/format.h>

#include "core/apis_time.hpp"

namespace wattshare::app {

tl::expected<CommunitySpec, Error> load_community_with(const std::string& config,
                                                       const std::optional<std::string>& start,
                                                       const std::optional<std::uint64_t>& seed) {
  auto spec = load_community(config);
  if (!spec) return spec;
  // What APIS would load with a WARN is said once per line, on stderr (stdout may carry --json).
  std::set<std::string> said;
  for (const auto& u : spec->units)
    for (const auto& w : u.apis.warnings)
      if (said.insert(w).second) fmt::print(stderr, "warning {}\n", w);
  if (seed) reseed(*spec, *seed);
  if (start) {
    auto t = parse_iso_date(*start);
    if (!t) return tl::unexpected(Error::bad_input("--start: " + t.error().message));
    spec->start = *t;
  }
  return spec;
}

}  // namespace wattshare::app
