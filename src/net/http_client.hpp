// A blocking HTTP/1.1 client for devices and services on the network (an APIS driver, etcd's
// JSON gateway, a dimmer): one kept-alive connection, reconnected once when the peer closed it,
// every exchange bounded by a timeout. `stream` reads a long response (etcd's watch) piece by
// piece as it arrives, until the callback says stop, the peer ends it or `stop()` is called from
// another thread. Plain HTTP or HTTPS with a client certificate. Beast stays inside http_client.cpp.
//   HttpClient c{"127.0.0.1", 2379, std::chrono::seconds(2)};
//   auto r = c.request("POST", "/v3/kv/range", R"({"key":"Zm9v"})");
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <tl/expected.hpp>

#include "core/error.hpp"
#include "core/http_message.hpp"

namespace wattshare {

// HTTPS: the server is verified against `ca_file`; `cert_file` and `key_file` (optional) are this
// client's certificate, for servers that require one (etcd --client-cert-auth).
struct TlsFiles {
  std::string ca_file, cert_file, key_file;
};

class HttpClient {
 public:
  HttpClient(std::string host, std::uint16_t port, std::chrono::milliseconds timeout,
             std::optional<TlsFiles> tls = std::nullopt);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  [[nodiscard]] tl::expected<HttpResponse, Error> request(const std::string& method, const std::string& target,
                                                          const std::string& body = {},
                                                          const std::string& content_type = "application/json");

  // Sends one request on its own connection and hands each piece of the response body to
  // `on_data` as it arrives (false: stop). Returns when the response ends, on stop(), or with
  // the error that ended it. Pieces are not aligned to messages: the caller splits them.
  // With `idle` > 0, a stream that brings nothing for that long ends with a timeout (a half-open
  // connection would otherwise wait for ever).
  [[nodiscard]] tl::expected<void, Error> stream(const std::string& method, const std::string& target,
                                                 const std::string& body,
                                                 const std::function<bool(std::string_view)>& on_data,
                                                 std::chrono::milliseconds idle = std::chrono::milliseconds(0));
  // Ends a stream() running on another thread.
  void stop();
  // A header sent with every later request and stream (an empty value removes it): credentials
  // such as etcd's auth token or a driver's bearer token.
  void set_header(const std::string& name, std::string value);

  [[nodiscard]] const std::string& host() const { return host_; }
  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  struct Impl;
  std::string host_;
  std::uint16_t port_;
  std::chrono::milliseconds timeout_;
  std::string scheme_;
  std::map<std::string, std::string> headers_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wattshare
