#include "cluster/cluster_auth.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "core/secret.hpp"

namespace wattshare::cluster {

std::string node_user(const std::string& cluster, const std::string& unit) {
  return fmt::format("wattshare-{}-{}", cluster, unit);
}

std::string admin_user(const std::string& cluster) { return fmt::format("wattshare-{}-admin", cluster); }

std::string password_file(const std::string& dir, const std::string& user) {
  return (std::filesystem::path(dir) / (user + ".password")).string();
}

namespace {

// A user with a fresh password (kept in DIR) and its role of the same name.
tl::expected<void, Error> add_user_with_role(EtcdClient& etcd, const std::string& dir, const std::string& user) {
  const std::string password = random_secret();
  if (auto r = write_secret_file(password_file(dir, user), password); !r) return r;
  if (auto r = etcd.add_user(user, password); !r) return r;
  if (auto r = etcd.add_role(user); !r) return r;
  return etcd.grant_role(user, user);
}

}  // namespace

tl::expected<void, Error> init_cluster_auth(const EtcdEndpoint& endpoint, const std::string& cluster,
                                            const std::string& policy_json, const std::vector<std::string>& members,
                                            OperationMode mode, const std::string& dir) {
  using P = EtcdClient::Permission;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return tl::unexpected(Error::not_available(fmt::format("{}: {}", dir, ec.message())));
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  EtcdClient etcd{endpoint};
  const bool first = !endpoint.credentials;  // else: auth is on already and we are root
  if (first) {
    if (auto r = add_user_with_role(etcd, dir, "root"); !r) {
      return tl::unexpected(Error::rejected(fmt::format(
          "etcd {}:{}: cannot create its root user ({}); if its auth is on already, run this as root "
          "(--etcd-user root --etcd-password-file ...)", endpoint.host, endpoint.port, r.error().message)));
    }
  }
  const std::string prefix = fmt::format("/wattshare/{}/", cluster);
  const std::string admin = admin_user(cluster);
  if (auto r = add_user_with_role(etcd, dir, admin); !r) return r;
  if (auto r = etcd.grant_permission(admin, P::kReadWrite, prefix, true); !r) return r;
  for (const std::string& unit : members) {
    const std::string user = node_user(cluster, unit);
    if (auto r = add_user_with_role(etcd, dir, user); !r) return r;
    struct Grant {
      P permission;
      std::string key;
      bool prefix;
    };
    const std::vector<Grant> grants{
        {P::kRead, prefix, true},
        {P::kReadWrite, prefix + "members/" + unit, false},
        {P::kReadWrite, prefix + "from/" + unit + "/", true},
        {P::kReadWrite, prefix + "deals/", true},
        {P::kReadWrite, prefix + "interlock/", true},
        {P::kReadWrite, prefix + "stop/", true},
        {P::kReadWrite, prefix + "log/", true},
        {P::kReadWrite, prefix + "global_errors/", true},
        {P::kReadWrite, prefix + "gm", false},
        {P::kReadWrite, prefix + "mode", false},
        {P::kReadWrite, prefix + "error_hold", false},
    };
    for (const Grant& g : grants) {
      if (auto r = etcd.grant_permission(user, g.permission, g.key, g.prefix); !r) return r;
    }
  }
  if (auto r = etcd.put(prefix + "policy", policy_json); !r) return tl::unexpected(r.error());
  if (auto r = etcd.put(prefix + "mode", std::string(to_string(mode))); !r) return tl::unexpected(r.error());
  if (first) {
    if (auto r = etcd.enable_auth(); !r) return r;
  }
  return {};
}

}  // namespace wattshare::cluster
