#include "app/demo_processes.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/wall_clock.hpp"
#include "cluster/cluster_auth.hpp"
#include "cluster/etcd_client.hpp"
#include "core/json_file.hpp"
#include "core/secret.hpp"

namespace wattshare::app {
namespace {

bool loopback_port_free(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return free;
}

std::string self_executable() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : p.string();
}

}  // namespace

DemoProcesses::DemoProcesses(const DemoProcessesOptions& o, Community& community, AsioScheduler& scheduler)
    : o_(o),
      community_(community),
      scheduler_(scheduler),
      acceleration_(scheduler),
      driver_(community, [this] { community_.advance_to(scheduler_.now()); }, &acceleration_),
      watchdog_(community, DeviceWatchdog::default_bound(community.spec())),
      logs_((std::filesystem::path(o.data_dir) / "logs").string()),
      secrets_((std::filesystem::path(o.data_dir) / "etcd-users").string()) {}

DemoProcesses::~DemoProcesses() { stop(); }

tl::expected<std::unique_ptr<DemoProcesses>, Error> DemoProcesses::start(const DemoProcessesOptions& o,
                                                                         Community& community,
                                                                         const CommunitySpec& spec,
                                                                         AsioScheduler& scheduler, HttpServer& http,
                                                                         Post post) {
  std::unique_ptr<DemoProcesses> d{new DemoProcesses(o, community, scheduler)};
  for (const UnitSpec& u : spec.units) {
    if (u.config_path.empty()) {
      return tl::unexpected(Error::invalid_config(
          fmt::format("{}: unit {} has no APIS config.json (\"config\"): --processes starts a node from it",
                      spec.source_path, u.id)));
    }
    const SystemType t = u.apis.unit.system_type;
    if (t != SystemType::kDcdcEmulator && t != SystemType::kDcdcV2) {
      return tl::unexpected(Error::invalid_config(fmt::format(
          "{}: systemType {}: a node reaches its device as dcdc_emulator or dcdc_v2", u.config_path, to_string(t))));
    }
  }
  d->cluster_ = spec.units.front().apis.unit.cluster_id.empty() ? "default" : spec.units.front().apis.unit.cluster_id;
  std::error_code ec;
  std::filesystem::create_directories(d->logs_, ec);
  if (ec) return tl::unexpected(Error::not_available(fmt::format("{}: {}", d->logs_, ec.message())));
  if (auto r = d->start_etcd(); !r) return tl::unexpected(r.error());
  if (auto r = d->secure_etcd(spec, o.mode); !r) return tl::unexpected(r.error());
  auto view = cluster::ClusterSharingView::open(d->etcd_endpoint(cluster::admin_user(d->cluster_)), d->cluster_, community,
                                                spec.units.front().apis.policy, std::move(post));
  if (!view) return tl::unexpected(view.error());
  d->view_ = std::move(*view);
  // The global mode first: the nodes find it there when they join.
  if (auto r = d->view_->set_global_mode(o.mode); !r) return tl::unexpected(r.error());
  d->watchdog_.apply(scheduler.acceleration());
  if (auto r = d->serve_drivers(spec, http); !r) return tl::unexpected(r.error());
  if (auto r = d->start_nodes(spec); !r) return tl::unexpected(r.error());
  // The physics moves on between driver requests; the invariants are checked against it at each
  // acquisition; a node that ends on its own is reported.
  const auto period = milliseconds(spec.units.front().apis.policy.controller.data_acquisition_period_ms);
  d->timer_ = scheduler.every(period, [p = d.get()] {
    p->community_.advance_to(p->scheduler_.now());
    p->view_->check_invariants(p->scheduler_.now());
    p->watch_children();
  });
  return d;
}

tl::expected<void, Error> DemoProcesses::start_etcd() {
  const std::string etcd = find_on_path("etcd");
  if (etcd.empty()) return tl::unexpected(Error::not_available("etcd is not installed (Debian package etcd-server)"));
  for (const int port : {o_.etcd_port, o_.etcd_port + 1}) {
    if (!loopback_port_free(port)) {
      return tl::unexpected(Error::not_available(fmt::format(
          "--etcd-port {}: 127.0.0.1:{} is taken (another etcd or demo?); pick another port", o_.etcd_port, port)));
    }
  }
  // A fresh store: deals and leases of an earlier run mean nothing to houses that restart.
  const auto dir = std::filesystem::path(o_.data_dir) / "etcd";
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  const std::string client = fmt::format("http://127.0.0.1:{}", o_.etcd_port);
  const std::string peer = fmt::format("http://127.0.0.1:{}", o_.etcd_port + 1);
  const std::string log = logs_ + "/etcd.log";
  auto pid = children_.start("etcd",
                             {etcd, "--name", "wattshare", "--data-dir", dir.string(), "--listen-client-urls", client,
                              "--advertise-client-urls", client, "--listen-peer-urls", peer,
                              "--initial-advertise-peer-urls", peer, "--initial-cluster", "wattshare=" + peer},
                             log, 0);
  if (!pid) return tl::unexpected(pid.error());
  etcd_pid_ = *pid;
  cluster::EtcdClient probe{etcd_endpoint(), std::chrono::milliseconds(500)};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (!probe.range("/wattshare/")) {
    for (const ChildExit& e : children_.reap_exited()) {
      return tl::unexpected(Error::not_available(fmt::format(
          "etcd ended at start ({}; is port {} or {} taken? see {})", describe_exit(e.status), o_.etcd_port,
          o_.etcd_port + 1, log)));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return tl::unexpected(Error::timeout(fmt::format("etcd did not answer on port {} within 15 s (see {})", o_.etcd_port, log)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (const ChildExit& e : children_.reap_exited()) {
    return tl::unexpected(Error::not_available(fmt::format("etcd ended at start ({}; see {})", describe_exit(e.status), log)));
  }
  return {};
}

tl::expected<void, Error> DemoProcesses::secure_etcd(const CommunitySpec& spec, OperationMode mode) {
  // Only the cluster's own members may write, each only its keys (cluster/cluster_auth.hpp): the
  // nodes as their users, this dashboard as the operator. Fresh passwords for a fresh store.
  std::error_code ec;
  std::filesystem::remove_all(secrets_, ec);
  const std::string& policy_file = spec.units.front().apis.unit.policy_file;
  auto policy = load_json_file(policy_file);
  if (!policy) return tl::unexpected(policy.error());
  std::vector<std::string> members;
  for (const UnitSpec& u : spec.units) members.push_back(u.id);
  return cluster::init_cluster_auth(etcd_endpoint(), cluster_, dump_json(*policy), members, mode, secrets_);
}

tl::expected<void, Error> DemoProcesses::serve_drivers(const CommunitySpec& spec, HttpServer& http) {
  // The drivers answer the nodes only: no web page, and their shared token.
  std::error_code ec;
  std::filesystem::remove(driver_token_file(), ec);
  const std::string token = random_secret();
  if (auto r = write_secret_file(driver_token_file(), token); !r) return r;
  const ListenerAccess access{.token = token};
  std::optional<std::uint16_t> shared;
  for (std::size_t i = 0; i < spec.units.size(); ++i) {
    tl::expected<std::uint16_t, Error> port = std::uint16_t{0};
    if (spec.units[i].apis.unit.system_type == SystemType::kDcdcEmulator) {
      if (!shared) {
        port = http.listen("127.0.0.1", 0, [this](const HttpRequest& r) { return driver_.handle(r); }, access);
        if (port) shared = *port;
      }
      if (port) port = *shared;
    } else {
      port = http.listen("127.0.0.1", 0, [this, i](const HttpRequest& r) { return driver_.handle_unit(r, i); }, access);
    }
    if (!port) return tl::unexpected(port.error());
    driver_ports_.push_back(*port);
  }
  return {};
}

tl::expected<void, Error> DemoProcesses::start_nodes(const CommunitySpec& spec) {
  const std::string self = self_executable();
  if (self.empty()) return tl::unexpected(Error::not_available("cannot find this program's path (/proc/self/exe)"));
  for (std::size_t i = 0; i < spec.units.size(); ++i) {
    const UnitSpec& u = spec.units[i];
    // Each node's clock is this one: what it reads now, at this wall time.
    const auto anchor = fmt::format("{}@{}", scheduler_.now().time_since_epoch().count(),
                                    wall_now().time_since_epoch().count());
    auto pid = children_.start(
        u.id,
        {self, "node", "--config", u.config_path, "--etcd", fmt::format("127.0.0.1:{}", o_.etcd_port), "--etcd-user",
         cluster::node_user(cluster_, u.id), "--etcd-password-file",
         cluster::password_file(secrets_, cluster::node_user(cluster_, u.id)), "--cluster", cluster_, "--driver-token-file", driver_token_file(), "--driver-host", "127.0.0.1", "--driver-port", std::to_string(driver_ports_[i]), "--acceleration",
         fmt::format("{}", scheduler_.acceleration()), "--clock-anchor", anchor, "--utc-offset-h",
         fmt::format("{}", to_seconds(o_.utc_offset) / 3600.0), "--seed", std::to_string(spec.seed + i), "--deal-log",
         logs_ + "/" + u.id + ".deals.jsonl"},
        logs_ + "/" + u.id + ".log", 1);
    if (!pid) return tl::unexpected(pid.error());
    nodes_.emplace_back(u.id, *pid);
  }
  return {};
}

cluster::EtcdEndpoint DemoProcesses::etcd_endpoint(const std::string& user) const {
  cluster::EtcdEndpoint e{"127.0.0.1", static_cast<std::uint16_t>(o_.etcd_port), std::nullopt, std::nullopt};
  if (!user.empty()) {
    auto password = read_secret_file(cluster::password_file(secrets_, user));
    e.credentials = cluster::EtcdCredentials{user, password ? *password : std::string()};
  }
  return e;
}

void DemoProcesses::watch_children() {
  for (const ChildExit& e : children_.reap_exited()) {
    spdlog::error("{} (pid {}) ended: {}; its output is in {}/{}.log", e.name, e.pid, describe_exit(e.status), logs_,
                  e.name);
  }
}

void DemoProcesses::stop() {
  if (timer_ != kNoTimer) scheduler_.cancel(timer_);
  timer_ = kNoTimer;
  children_.stop_all(std::chrono::seconds(3));
}

}  // namespace wattshare::app
