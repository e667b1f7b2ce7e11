#include "support/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <cstring>

namespace wattshare::test {

std::string raw_exchange(const std::string& host, std::uint16_t port, const std::string& bytes,
                         std::chrono::milliseconds timeout) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return {};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return {};
  }
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  std::string in;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[8192];
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    in.append(buf, static_cast<std::size_t>(n));
    // Stop once a complete response with Content-Length has arrived.
    const auto head_end = in.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      const auto cl = in.find("Content-Length: ");
      if (cl != std::string::npos && cl < head_end) {
        const std::size_t len = std::strtoul(in.c_str() + cl + 16, nullptr, 10);
        if (in.size() >= head_end + 4 + len) break;
      }
    }
  }
  close(fd);
  return in;
}

HttpResult http_request(const std::string& host, std::uint16_t port, const std::string& method,
                        const std::string& target, const std::string& body,
                        std::chrono::milliseconds timeout) {
  return http_request_with_token(host, port, method, target, "", body, timeout);
}

HttpResult http_request_with_token(const std::string& host, std::uint16_t port, const std::string& method,
                                   const std::string& target, const std::string& token, const std::string& body,
                                   std::chrono::milliseconds timeout) {
  Headers headers;
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  return http_request_with_headers(host, port, method, target, headers, body, timeout);
}

HttpResult http_request_with_headers(const std::string& host, std::uint16_t port, const std::string& method,
                                     const std::string& target, const Headers& headers, const std::string& body,
                                     std::chrono::milliseconds timeout) {
  std::string host_header = host;
  for (const auto& [name, value] : headers) {
    if (name == "Host") host_header = value;
  }
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: " + host_header + "\r\nConnection: close\r\n";
  for (const auto& [name, value] : headers) {
    if (name != "Host") req += name + ": " + value + "\r\n";
  }
  if (!body.empty()) req += "Content-Type: application/json\r\nContent-Length: " +
                            std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  const std::string raw = raw_exchange(host, port, req, timeout);
  HttpResult r;
  if (raw.rfind("HTTP/1.1 ", 0) != 0) return r;
  r.status = std::atoi(raw.c_str() + 9);
  const auto head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos) return r;
  r.headers = raw.substr(0, head_end);
  r.body = raw.substr(head_end + 4);
  std::string lower = r.headers;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.find("transfer-encoding: chunked") != std::string::npos) {
    // Reassemble the chunks (etcd's gateway sends larger answers so).
    std::string joined;
    std::size_t at = 0;
    while (at < r.body.size()) {
      const std::size_t line_end = r.body.find("\r\n", at);
      if (line_end == std::string::npos) break;
      const std::size_t size = std::strtoul(r.body.c_str() + at, nullptr, 16);
      if (size == 0) break;
      joined += r.body.substr(line_end + 2, size);
      at = line_end + 2 + size + 2;
    }
    r.body = joined;
  }
  return r;
}

int free_tcp_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

bool tcp_port_free(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

}  // namespace wattshare::test
