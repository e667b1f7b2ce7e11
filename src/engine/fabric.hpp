// How units talk (DESIGN.md "Fabric"): negotiation broadcast with early close, the shared deal
// table with compare-and-set, per-unit deal interlocks, the grid-master lease whose token fences
// every device command, fenced device access, the global mode and global errors. The engine
// talks only to this interface; InProcessFabric implements it for simulation and single-process
// runs, an etcd-backed one serves units on separate machines.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/policy.hpp"
#include "core/error.hpp"
#include "core/task.hpp"
#include "engine/deal.hpp"
#include "engine/device_controller.hpp"
#include "engine/negotiation_rules.hpp"

namespace wattshare {

struct GridMasterLease {
  std::string holder;
  std::uint64_t token = 0;  // fencing token: strictly increasing with every acquisition
  TimePoint expires{};
};

class Fabric {
 public:
  virtual ~Fabric() = default;

  [[nodiscard]] virtual const std::vector<std::string>& members() const = 0;
  [[nodiscard]] virtual bool reachable(const std::string& unit) const = 0;
  [[nodiscard]] virtual std::size_t reachable_members() const {
    std::size_t n = 0;
    for (const auto& id : members()) n += reachable(id) ? 1 : 0;
    return n;
  }

  // Sends `request` to every other member; returns the accepts once all have answered or at
  // the timeout, whichever comes first.
  virtual Task<std::vector<Offer>> negotiate(const Offer& request, Duration timeout) = 0;

  // The deal table. update() succeeds only if the stored version equals d.version, and bumps it.
  [[nodiscard]] virtual std::vector<Deal> deals() const = 0;
  [[nodiscard]] virtual std::optional<Deal> deal(const std::string& deal_id) const = 0;
  // Visits the deals in creation order without copying them.
  virtual void for_each_deal(const std::function<void(const Deal&)>& visit) const = 0;
  // Visits one deal in place (no copy); false when there is no such deal.
  virtual bool visit_deal(const std::string& deal_id,
                          const std::function<void(const Deal&)>& visit) const {
    auto d = deal(deal_id);
    if (d) visit(*d);
    return d.has_value();
  }
  virtual bool put_if_absent(const Deal& d) = 0;
  virtual bool update(Deal& d) = 0;
  virtual bool remove(const std::string& deal_id) = 0;
  virtual void need_to_stop(const std::string& deal_id, const std::string& reason) = 0;
  virtual std::vector<std::string> take_need_to_stop(const std::string& deal_id) = 0;
  // Called by the grid master when a deal is disposed: both participants log it.
  virtual void log_deal(const Deal& d) = 0;

  // Deal interlock slots on a unit (capacity floor(gridCurrentCapacityA / dealGridCurrentA)).
  virtual bool acquire_interlock(const std::string& unit, const std::string& deal_id) = 0;
  virtual void release_interlock(const std::string& unit, const std::string& deal_id) = 0;
  [[nodiscard]] virtual bool has_local_errors(const std::string& unit) const = 0;

  // The grid-master lease.
  virtual std::optional<std::uint64_t> acquire_grid_master(const std::string& unit, TimePoint now,
                                                           Duration ttl) = 0;
  virtual bool renew_grid_master(const std::string& unit, std::uint64_t token, TimePoint now,
                                 Duration ttl) = 0;
  virtual void release_grid_master(const std::string& unit, std::uint64_t token) = 0;
  // Asks `unit` to take the grid master (the GM follows the voltage reference).
  virtual void activate_grid_master(const std::string& unit) = 0;
  // APIS's apis.reset.all and the shutdown broadcast (reference §5 actions ResetAll, ShutdownAll):
  // every member unit resets (or stops its deals, goes to WAIT and shuts down).
  virtual void reset_all(const std::string& reason) = 0;
  virtual void shutdown_all(const std::string& reason) = 0;
  [[nodiscard]] virtual std::optional<GridMasterLease> grid_master(TimePoint now) const = 0;

  // Fenced device access on a unit: refused (kRejected) if `token` is older than the newest the
  // unit has seen, kNotAvailable if the unit is unreachable.
  virtual Task<DeviceResult> control(const std::string& unit, ControlCommand command,
                                     std::uint64_t token) = 0;
  virtual DeviceResult unit_data(const std::string& unit, bool fresh, std::uint64_t token) = 0;

  // A unit's ability to accept changed (its accept offers, free slots, errors or mode); `gained`
  // when it can now take something it could not. Lets a fabric skip repeating a negotiation whose
  // answer cannot have changed. Optional.
  virtual void market_changed(const std::string& /*unit*/, bool /*gained*/) {}
  // Counts the gains (a unit that can take less cannot turn a refusal into an accept); 0 when the
  // fabric cannot know (then every negotiation runs). A request that got no accept at epoch e gets
  // none again while the epoch is still e.
  [[nodiscard]] virtual std::uint64_t market_epoch() const { return 0; }

  [[nodiscard]] virtual OperationMode global_mode() const = 0;
  virtual void set_global_mode(OperationMode m) = 0;
  virtual void publish_global_error(const ApisError& e) = 0;
  virtual std::vector<ApisError> take_global_errors() = 0;
  // Whether a global error waits to be handled (taken by nobody yet).
  [[nodiscard]] virtual bool has_global_errors() = 0;
  // apis-main's grid-master ErrorCollection.hasErrors(): once the grid master has handled global
  // errors, no unit requests, accepts or makes a deal, and the main loop drives none, until
  // `until` (gridMaster.errorSustainingMsec later).
  virtual void hold_after_global_errors(TimePoint until) = 0;
  [[nodiscard]] virtual bool global_errors_held(TimePoint now) const = 0;
};

}  // namespace wattshare
