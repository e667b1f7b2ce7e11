// The etcd endpoint of a command's --etcd options: address, HTTPS files and the user it logs in as.
#pragma once

#include <fmt/format.h>

#include "app/commands.hpp"
#include "cluster/etcd_client.hpp"

namespace wattshare::app {

inline tl::expected<cluster::EtcdEndpoint, Error> etcd_endpoint(const EtcdAccess& a) {
  auto ep = cluster::parse_endpoint(a.endpoint, a.tls);
  if (!ep) return ep;
  if (a.user.empty() != a.password_file.empty()) {
    return tl::unexpected(Error::invalid_config("--etcd-user and --etcd-password-file go together"));
  }
  if (!a.user.empty()) {
    auto credentials = cluster::load_credentials(a.user, a.password_file);
    if (!credentials) return tl::unexpected(credentials.error());
    ep->credentials = *credentials;
  }
  return ep;
}

}  // namespace wattshare::app
