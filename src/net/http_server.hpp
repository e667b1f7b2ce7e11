// A small HTTP/1.1 server on Boost.Beast: it turns requests into HttpRequest values, calls a
// handler on the io_context's thread and writes back its HttpResponse (keep-alive). It holds
// under abuse: who may talk is checked first (ListenerAccess), a request must arrive whole
// within 10 s (slow clients are closed), bodies over 1 MiB get 413 and headers over 16 KiB 431,
// connections beyond the cap get 503, and accept errors (EMFILE) are retried after a growing
// pause instead of in a busy loop. Beast stays inside http_server.cpp.
//   HttpServer server{io};
//   auto port = server.listen("127.0.0.1", 0, [](const HttpRequest& r) { return ...; });
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <tl/expected.hpp>

#include "core/error.hpp"
#include "core/http_message.hpp"

namespace boost::asio {
class io_context;
}

namespace wattshare {

// What the server has seen, for /metrics and tests.
struct HttpServerStats {
  std::size_t open_connections = 0;  // HTTP and WebSocket, now
  std::uint64_t refused_busy = 0;    // connections answered 503 at the cap
  std::uint64_t accept_errors = 0;   // accept() failures (EMFILE...), each followed by a pause
};

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  // Answers once, from any thread: a handler that hands slow work (a year of history) to
  // another thread and keeps the io_context free. The server posts the answer back.
  using Respond = std::function<void(HttpResponse)>;
  using DeferredHandler = std::function<void(const HttpRequest&, Respond)>;
  static constexpr std::size_t kDefaultMaxConnections = 256;

  explicit HttpServer(boost::asio::io_context& io);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting; port 0 picks a free port. Returns the bound port. Every request
  // is checked against `access` (its port is set to the bound one) before `handler` sees it:
  // by default only programs, not browsers, on an IP literal or localhost as Host.
  [[nodiscard]] tl::expected<std::uint16_t, Error> listen(const std::string& address,
                                                          std::uint16_t port, Handler handler,
                                                          ListenerAccess access = {});
  // The same with a handler that may answer later (DeferredHandler).
  [[nodiscard]] tl::expected<std::uint16_t, Error> listen_deferred(const std::string& address, std::uint16_t port,
                                                                   DeferredHandler handler, ListenerAccess access = {});
  // Stops accepting and closes every connection.
  void stop();
  // Connections beyond `n` (all listeners, WebSockets included) get a 503 and are closed.
  void set_max_connections(std::size_t n);
  [[nodiscard]] HttpServerStats stats() const;

  // WebSocket: an upgrade request for `path` becomes a push channel. `greeting` gives the first
  // message of each new client (a snapshot); `broadcast` sends a text message to every client.
  // A client that falls more than 64 messages behind is dropped. Incoming messages are ignored.
  // With a `token`, the upgrade must carry it (`?token=` in the URL, as a browser's WebSocket
  // cannot set headers, or Authorization: Bearer), else 401.
  void enable_websocket(std::string path, std::function<std::string()> greeting, std::string token = {});
  void broadcast(std::string text);
  [[nodiscard]] std::size_t websocket_clients() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace wattshare
