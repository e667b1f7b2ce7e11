// What the operator API sees of the sharing side of a community, wherever it runs: the agents
// in this process (`EngineSharingView`), or one process per unit seen through etcd
// (cluster/cluster_sharing_view). The physics (batteries, PV, loads, meters) is the `Community`
// next to it in both cases.
//   EngineSharingView view{engine, hours(9)};
//   view.agent(0).effective_mode;  view.set_global_mode(OperationMode::kStop);
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "core/error.hpp"
#include "core/json_file.hpp"
#include "devices/unit_data.hpp"
#include "engine/deal.hpp"
#include "engine/sharing_engine.hpp"

namespace wattshare {

struct AgentView {
  bool online = true;  // false: the unit's agent is not running or not heard from
  OperationMode effective_mode = OperationMode::kStop;
  std::optional<OperationMode> local_mode;
  bool grid_master = false;
  std::vector<std::string> errors;  // its recent errors, APIS's one-line form
  std::optional<UnitData> data;     // what the agent last read from its device
};

class SharingView {
 public:
  using DealRecordSink = std::function<void(const std::string& deal_id, const Json& record)>;
  virtual ~SharingView() = default;

  [[nodiscard]] virtual AgentView agent(std::size_t unit) const = 0;
  virtual void for_each_deal(const std::function<void(const Deal&)>& visit) const = 0;
  [[nodiscard]] virtual OperationMode global_mode() const = 0;
  virtual tl::expected<void, Error> set_global_mode(OperationMode m) = 0;
  virtual tl::expected<void, Error> set_local_mode(std::size_t unit, std::optional<OperationMode> m) = 0;
  [[nodiscard]] virtual EngineStats stats() const = 0;
  [[nodiscard]] virtual std::size_t invariant_violations() const = 0;
  // Every disposed deal's APIS record, once (the history keeps them).
  virtual void on_deal_record(DealRecordSink sink) = 0;
};

// The agents of a SharingEngine in this process.
class EngineSharingView final : public SharingView {
 public:
  EngineSharingView(SharingEngine& engine, Duration utc_offset) : engine_(engine), utc_offset_(utc_offset) {}
  AgentView agent(std::size_t unit) const override;
  void for_each_deal(const std::function<void(const Deal&)>& visit) const override { engine_.for_each_deal(visit); }
  OperationMode global_mode() const override { return engine_.fabric().global_mode(); }
  tl::expected<void, Error> set_global_mode(OperationMode m) override;
  tl::expected<void, Error> set_local_mode(std::size_t unit, std::optional<OperationMode> m) override;
  EngineStats stats() const override { return engine_.stats(); }
  std::size_t invariant_violations() const override { return engine_.invariants().count(); }
  void on_deal_record(DealRecordSink sink) override;

 private:
  SharingEngine& engine_;
  Duration utc_offset_;
};

}  // namespace wattshare
