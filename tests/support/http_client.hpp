// A minimal blocking HTTP/1.1 client for tests against our own servers on loopback: one request
// per connection, with a timeout. Deliberately independent of the server's Beast code.
//   auto r = http_get("127.0.0.1", port, "/get/unit/E001");  EXPECT_EQ(r.status, 200);
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace wattshare::test {

struct HttpResult {
  int status = 0;  // 0: no answer
  std::string body;
  std::string headers;
};

HttpResult http_request(const std::string& host, std::uint16_t port, const std::string& method,
                        const std::string& target, const std::string& body = {},
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));
// With "Authorization: Bearer <token>" (none when empty).
HttpResult http_request_with_token(const std::string& host, std::uint16_t port, const std::string& method,
                                   const std::string& target, const std::string& token, const std::string& body = {},
                                   std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));
// With any headers ("Host" replaces the default one).
using Headers = std::vector<std::pair<std::string, std::string>>;
HttpResult http_request_with_headers(const std::string& host, std::uint16_t port, const std::string& method,
                                     const std::string& target, const Headers& headers, const std::string& body = {},
                                     std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));
inline HttpResult http_get(const std::string& host, std::uint16_t port, const std::string& target) {
  return http_request(host, port, "GET", target);
}
// Sends raw bytes and returns whatever comes back before the server closes or the timeout.
std::string raw_exchange(const std::string& host, std::uint16_t port, const std::string& bytes,
                         std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

// A TCP port free on 127.0.0.1 now (for a peer that cannot pick its own, as etcd or mosquitto).
int free_tcp_port();
// Whether `port` on 127.0.0.1 can be bound now.
bool tcp_port_free(int port);

}  // namespace wattshare::test
