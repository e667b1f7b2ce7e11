// etcd's authentication for a wattshare cluster: who may write which keys under
// /wattshare/<cluster>/ (layout in etcd_fabric.hpp). `init_cluster_auth` creates, on an etcd
// whose auth is still off (or as its root user):
//   - `root` (etcd needs it before auth is on), password in DIR/root.password;
//   - the operator `wattshare-<cluster>-admin`: every key of the cluster (the dashboard,
//     `wattshare cluster mode|deal|status`, local modes, admin/broadcast);
//   - one user per member `wattshare-<cluster>-<unit>`: reads the whole cluster, writes only its
//     record (members/<unit>), its outbox (from/<unit>/) and the shared deal keys (deals/,
//     interlock/, stop/, log/, global_errors/, gm, mode); never policy, local/ or admin/;
// each with a random password in DIR/<user>.password (mode 0600); then writes the policy and the
// global mode, and turns auth on. A node logs in with `--etcd-user` and `--etcd-password-file`.
//   init_cluster_auth(endpoint, "apis-sample", policy_json, policy.member_unit_ids, mode, "secrets/");
#pragma once

#include <string>
#include <vector>

#include "cluster/etcd_client.hpp"
#include "config/policy.hpp"

namespace wattshare::cluster {

[[nodiscard]] std::string node_user(const std::string& cluster, const std::string& unit);
[[nodiscard]] std::string admin_user(const std::string& cluster);
// DIR/<user>.password
[[nodiscard]] std::string password_file(const std::string& dir, const std::string& user);

[[nodiscard]] tl::expected<void, Error> init_cluster_auth(const EtcdEndpoint& etcd, const std::string& cluster,
                                                          const std::string& policy_json,
                                                          const std::vector<std::string>& members, OperationMode mode,
                                                          const std::string& dir);

}  // namespace wattshare::cluster
