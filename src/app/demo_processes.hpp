// `wattshare demo --processes`: the community's units as processes, the way they run in the
// field. etcd on loopback (a fresh store under the data folder), this process serving the
// houses' physics over APIS's driver protocol (dcdc_emulator style on one port, dcdc_v2 style on
// one port per unit), one `wattshare node` per unit on this process's accelerated clock, and the
// cluster seen through etcd for the dashboard. etcd's auth is on: each node logs in as its own user
// and may write only its keys; the dashboard is the operator (passwords in <data-dir>/etcd-users/).
// Their output goes to <data-dir>/logs/. A unit whose
// node stops asking for its data has its converter put to Waiting (DeviceWatchdog).
//   auto cluster = DemoProcesses::start(options, community, spec, scheduler, http, post);
//   ApiService api{{community, (*cluster)->sharing(), ...}};   ...   (*cluster)->stop();
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/sharing_view.hpp"
#include "app/child_processes.hpp"
#include "app/device_watchdog.hpp"
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
  // Logged in as `user` (its password from the secrets folder), or with no user.
  [[nodiscard]] cluster::EtcdEndpoint etcd_endpoint(const std::string& user = {}) const;
  tl::expected<void, Error> start_etcd();
  tl::expected<void, Error> secure_etcd(const CommunitySpec& spec, OperationMode mode);
  [[nodiscard]] std::string driver_token_file() const { return secrets_ + "/driver.token"; }
  tl::expected<void, Error> serve_drivers(const CommunitySpec& spec, HttpServer& http);
  tl::expected<void, Error> start_nodes(const CommunitySpec& spec);
  void watch_children();

  DemoProcessesOptions o_;
  Community& community_;
  AsioScheduler& scheduler_;
  FixedAcceleration acceleration_;
  DriverServer driver_;
  DeviceWatchdog watchdog_;  // a node that dies leaves its converter Waiting
  std::string logs_;
  std::string secrets_;  // the etcd users' passwords (cluster init-auth), under the data folder
  std::string cluster_;
  std::vector<std::uint16_t> driver_ports_;  // by unit
  ChildProcesses children_;
  pid_t etcd_pid_ = 0;
  std::vector<std::pair<std::string, pid_t>> nodes_;
  std::unique_ptr<cluster::ClusterSharingView> view_;
  TimerId timer_ = kNoTimer;
};

}  // namespace wattshare::app
