// The HTTP/WebSocket server (Boost.Beast) as a client on the network meets it: the input's bytes
// are sent on a real loopback connection, as they are, then the client half-closes and reads
// whatever comes back. The server must answer or close, never crash, and go on serving: a
// well-formed request after each input still gets its answer.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "net/http_server.hpp"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct Fixture {
  asio::io_context io;
  wattshare::HttpServer http{io};
  std::uint16_t port = 0;
  Fixture() {
    http.enable_websocket("/ws", [] { return std::string("hello"); }, "fuzz-token-0123456789");
    port = http.listen("127.0.0.1", 0,
                       [](const wattshare::HttpRequest& r) {
                         return wattshare::json_response(200, "{\"len\":" + std::to_string(r.body.size()) + "}");
                       },
                       wattshare::ListenerAccess{.callers = wattshare::ListenerAccess::Callers::kOwnPages})
               .value();
  }
  // Sends `bytes` on a new connection, half-closes, and returns what came back before the
  // server closed (or 200 ms passed).
  std::string exchange(const std::string& bytes) {
    tcp::socket client{io};
    std::string in;
    bool done = false;
    client.async_connect({asio::ip::make_address("127.0.0.1"), port}, [&](boost::system::error_code ec) {
      if (ec) {
        done = true;
        return;
      }
      asio::async_write(client, asio::buffer(bytes), [&](boost::system::error_code, std::size_t) {
        boost::system::error_code ignored;
        client.shutdown(tcp::socket::shutdown_send, ignored);
        asio::async_read(client, asio::dynamic_buffer(in), [&](boost::system::error_code, std::size_t) { done = true; });
      });
    });
    io.restart();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
    while (!done && std::chrono::steady_clock::now() < deadline) io.run_one_for(std::chrono::milliseconds(10));
    boost::system::error_code ignored;
    client.close(ignored);
    io.restart();
    io.poll();  // the server's side of the closed connection
    return in;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture f;
  (void)f.exchange(std::string(reinterpret_cast<const char*>(data), size));
  const std::string ok = f.exchange("GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  if (ok.rfind("HTTP/1.1 200", 0) != 0) std::abort();
  return 0;
}
