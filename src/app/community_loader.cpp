#include "app/community_loader.hpp"

#include "core/apis_time.hpp"

namespace wattshare::app {

tl::expected<CommunitySpec, Error> load_community_with(const std::string& config,
                                                       const std::optional<std::string>& start,
                                                       const std::optional<std::uint64_t>& seed) {
  auto spec = load_community(config);
  if (!spec) return spec;
  if (seed) reseed(*spec, *seed);
  if (start) {
    auto t = parse_iso_date(*start);
    if (!t) return tl::unexpected(Error::bad_input("--start: " + t.error().message));
    spec->start = *t;
  }
  return spec;
}

}  // namespace wattshare::app
