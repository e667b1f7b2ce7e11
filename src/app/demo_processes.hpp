// `wattshare demo --processes`: the community's units as processes, the way they run in the
// field. etcd on loopback (a fresh store under the data folder), this process serving the
// houses' physics over APIS's driver protocol (dcdc_emulator style on one port, dcdc_v2 style on
// one port per unit), one `wattshare node` per unit on this process's accelerated clock, and the
// cluster seen through etcd for the dashboard. Their output goes to <data-dir>/logs/.
//   auto cluster = DemoProcesses::start(options, community, spec, scheduler, http, post);
//   ApiService api{{community, (*cluster)->sharing(), ...}};   ...   (*cluster)->stop();
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/sharing_view.hpp"
#include "app/child_processes.hpp"
#include "app/scheduler_acceleration.hpp"
#include "cluster/cluster_sharing_view.hpp"
#include "devices/apis_http/driver_server.hpp"
#include "net/http_server.hpp"

namespace wattshare::app {

struct DemoProcessesOptions {
  std::string data_dir;
  int etcd_port = 23790;
  OperationMode mode = OperationMode::kAutonomous;
  Duration utc_offset{};
};

class DemoProcesses {
 public:
  using Post = cluster::ClusterSharingView::Post;

  [[nodiscard]] static tl::expected<std::unique_ptr<DemoProcesses>, Error> start(
      const DemoProcessesOptions& o, Community& community, const CommunitySpec& spec, AsioScheduler& scheduler,
      HttpServer& http, Post post);
  ~DemoProcesses();

  [[nodiscard]] SharingView& sharing() { return *view_; }
  [[nodiscard]] AccelerationControl& acceleration() { return acceleration_; }
  [[nodiscard]] const std::vector<std::pair<std::string, pid_t>>& nodes() const { return nodes_; }
  [[nodiscard]] const std::string& cluster() const { return cluster_; }
  [[nodiscard]] int etcd_port() const { return o_.etcd_port; }
  [[nodiscard]] pid_t etcd_pid() const { return etcd_pid_; }
  // The nodes leave, then etcd stops.
  void stop();

 private:
  DemoProcesses(const DemoProcessesOptions& o, Community& community, AsioScheduler& scheduler);
  [[nodiscard]] cluster::EtcdEndpoint etcd_endpoint() const;
  tl::expected<void, Error> start_etcd();
  tl::expected<void, Error> serve_drivers(const CommunitySpec& spec, HttpServer& http);
  tl::expected<void, Error> start_nodes(const CommunitySpec& spec);
  void watch_children();

  DemoProcessesOptions o_;
  Community& community_;
  AsioScheduler& scheduler_;
  FixedAcceleration acceleration_;
  DriverServer driver_;
  std::string logs_;
  std::string cluster_;
  std::vector<std::uint16_t> driver_ports_;  // by unit
  ChildProcesses children_;
  pid_t etcd_pid_ = 0;
  std::vector<std::pair<std::string, pid_t>> nodes_;
  std::unique_ptr<cluster::ClusterSharingView> view_;
  TimerId timer_ = kNoTimer;
};

}  // namespace wattshare::app
