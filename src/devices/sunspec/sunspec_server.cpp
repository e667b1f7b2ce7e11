#include "devices/sunspec/sunspec_server.hpp"

#include <arpa/inet.h>
#include <modbus.h>
#include <netinet/in.h>
#include <sys/select.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

namespace wattshare::sunspec {

tl::expected<std::unique_ptr<SunSpecServer>, Error> SunSpecServer::listen(const std::string& host, int port,
                                                                          std::function<SiteValues()> site) {
  std::unique_ptr<SunSpecServer> s{new SunSpecServer()};
  s->site_ = std::move(site);
  s->ctx_ = modbus_new_tcp(host.c_str(), port);
  if (s->ctx_ == nullptr) return tl::make_unexpected(Error::invalid_config(fmt::format("SunSpec server {}:{}: {}", host, port, modbus_strerror(errno))));
  s->map_ = modbus_mapping_new_start_address(0, 0, 0, 0, kSolarEdgeBase, kSolarEdgeMapSize, 0, 0);
  if (s->map_ == nullptr) return tl::make_unexpected(Error::internal("SunSpec server: out of memory"));
  s->listen_fd_ = modbus_tcp_listen(s->ctx_, 1);
  if (s->listen_fd_ < 0) {
    return tl::make_unexpected(Error::not_available(fmt::format("SunSpec server: cannot listen on {}:{}: {}", host, port, modbus_strerror(errno))));
  }
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  getsockname(s->listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  s->port_ = ntohs(addr.sin_port);
  return s;
}

SunSpecServer::~SunSpecServer() {
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (map_ != nullptr) modbus_mapping_free(map_);
  if (ctx_ != nullptr) {
    modbus_close(ctx_);
    modbus_free(ctx_);
  }
}

void SunSpecServer::run(const std::atomic<bool>& stop) {
  int client = -1;
  std::uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
  while (!stop.load()) {
    fd_set fds;
    FD_ZERO(&fds);
    FD_SET(listen_fd_, &fds);
    if (client >= 0) FD_SET(client, &fds);
    timeval tv{0, 50000};
    if (select(std::max(listen_fd_, client) + 1, &fds, nullptr, nullptr, &tv) <= 0) continue;
    if (FD_ISSET(listen_fd_, &fds)) {
      const int fresh = ::accept(listen_fd_, nullptr, nullptr);
      if (fresh >= 0) {
        if (client >= 0) ::close(client);  // one client at a time
        client = fresh;
      }
      continue;
    }
    if (client < 0 || !FD_ISSET(client, &fds)) continue;
    modbus_set_socket(ctx_, client);
    const int rc = modbus_receive(ctx_, query);
    if (rc == -1) {
      ::close(client);
      client = -1;
      continue;
    }
    if (rc == 0) continue;  // not for us
    const auto regs = solaredge_registers(site_());
    std::copy(regs.begin(), regs.end(), map_->tab_registers);
    ++requests_;
    modbus_reply(ctx_, query, rc, map_);  // reads outside 40000…40295 get an exception
  }
  if (client >= 0) ::close(client);
}

}  // namespace wattshare::sunspec
