// A small HTTP/1.1 server on Boost.Beast: it turns requests into HttpRequest values, calls a
// handler on the io_context's thread and writes back its HttpResponse (keep-alive, bounded
// request size and idle time). Beast stays inside http_server.cpp.
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

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  explicit HttpServer(boost::asio::io_context& io);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting; port 0 picks a free port. Returns the bound port.
  [[nodiscard]] tl::expected<std::uint16_t, Error> listen(const std::string& address,
                                                          std::uint16_t port, Handler handler);
  // Stops accepting and closes every connection.
  void stop();

  // WebSocket: an upgrade request for `path` becomes a push channel. `greeting` gives the first
  // message of each new client (a snapshot); `broadcast` sends a text message to every client.
  // A client that falls more than 64 messages behind is dropped. Incoming messages are ignored.
  void enable_websocket(std::string path, std::function<std::string()> greeting);
  void broadcast(std::string text);
  [[nodiscard]] std::size_t websocket_clients() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace wattshare
