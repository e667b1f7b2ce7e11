// The only translation unit that includes Boost.Beast (compile cost: see dependencies.md).
#include "net/http_server.hpp"

#include <deque>
#include <list>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <fmt/format.h>

namespace wattshare {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kMaxBodyBytes = 1 << 20;
constexpr auto kIdleTimeout = std::chrono::seconds(60);
constexpr std::size_t kMaxQueuedMessages = 64;

namespace websocket = beast::websocket;

// One WebSocket client: messages go out in order, one write at a time.
class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  explicit WsSession(beast::tcp_stream&& stream) : ws_(std::move(stream)) {}

  void start(http::request<http::string_body> req, std::string greeting) {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(req, [self = shared_from_this(), greeting = std::move(greeting)](beast::error_code ec) mutable {
      if (ec) return;
      self->open_ = true;
      self->read();
      if (!greeting.empty()) self->send(std::make_shared<const std::string>(std::move(greeting)));
    });
  }
  void send(std::shared_ptr<const std::string> message) {
    if (!open_) return;
    if (queue_.size() >= kMaxQueuedMessages) {  // too slow to follow: let it reconnect
      close();
      return;
    }
    queue_.push_back(std::move(message));
    if (queue_.size() == 1) write_next();
  }
  void close() {
    if (!open_) return;
    open_ = false;
    ws_.async_close(websocket::close_code::going_away, [self = shared_from_this()](beast::error_code) {});
  }
  [[nodiscard]] bool open() const { return open_; }

 private:
  void read() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec) {
        self->open_ = false;
        return;
      }
      self->in_.consume(n);
      self->read();
    });
  }
  void write_next() {
    ws_.text(true);
    ws_.async_write(asio::buffer(*queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->open_ = false;
        self->queue_.clear();
        return;
      }
      self->queue_.pop_front();
      if (!self->queue_.empty() && self->open_) self->write_next();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  bool open_ = false;
};

// Where upgrades go: set by HttpServer::enable_websocket.
struct WsHub {
  std::string path;
  std::function<std::string()> greeting;
  std::vector<std::weak_ptr<WsSession>> clients;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<HttpServer::Handler> handler, std::shared_ptr<WsHub> hub)
      : stream_(std::move(socket)), handler_(std::move(handler)), hub_(std::move(hub)) {}

  void start() { read(); }
  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(kMaxBodyBytes);
    stream_.expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       self->on_read(ec);
                     });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec) {
      if (ec && ec != http::error::end_of_stream && ec != asio::error::operation_aborted &&
          ec != beast::error::timeout && ec != asio::error::eof) {
        // A malformed request: answer 400 once, then close.
        respond_error(400, fmt::format("malformed HTTP request: {}", ec.message()));
        return;
      }
      close();
      return;
    }
    auto& req = parser_->get();
    if (hub_ && websocket::is_upgrade(req) && req.target() == hub_->path) {
      auto ws = std::make_shared<WsSession>(std::move(stream_));
      std::erase_if(hub_->clients, [](const auto& w) { return w.expired(); });
      hub_->clients.push_back(ws);
      ws->start(parser_->release(), hub_->greeting ? hub_->greeting() : std::string());
      return;
    }
    HttpRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    request.body = std::move(req.body());
    if (auto it = req.find(http::field::authorization); it != req.end())
      request.authorization = std::string(it->value());
    HttpResponse response;
    try {
      response = (*handler_)(request);
    } catch (const std::exception& e) {
      response = json_response(500, nlohmann_free_error(e.what()));
    }
    write(std::move(response), req.keep_alive(), req.version());
  }

  static std::string nlohmann_free_error(const std::string& what) {
    std::string escaped;
    for (char c : what) {
      if (c == '"' || c == '\\') escaped.push_back('\\');
      if (static_cast<unsigned char>(c) >= 0x20) escaped.push_back(c);
    }
    return "{\"error\":\"internal error: " + escaped + "\"}";
  }

  void respond_error(int status, const std::string& message) {
    HttpResponse r = json_response(status, nlohmann_free_error(message));
    write(std::move(r), false, 11);
  }

  void write(HttpResponse r, bool keep_alive, unsigned version) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(r.status), version);
    res->set(http::field::server, "wattshare");
    res->set(http::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers) res->set(k, v);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                        if (ec || !res->keep_alive()) {
                          self->close();
                          return;
                        }
                        self->read();
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<HttpServer::Handler> handler_;
  std::shared_ptr<WsHub> hub_;
};

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  explicit Impl(asio::io_context& i) : io(i) {}
  asio::io_context& io;
  std::list<tcp::acceptor> acceptors;
  std::vector<std::weak_ptr<Session>> sessions;
  std::shared_ptr<WsHub> hub;
  bool stopped = false;

  void accept(tcp::acceptor& acceptor, std::shared_ptr<Handler> handler) {
    acceptor.async_accept([self = shared_from_this(), &acceptor, handler](
                              beast::error_code ec, tcp::socket socket) {
      if (self->stopped) return;
      if (!ec) {
        socket.set_option(tcp::no_delay(true), ec);
        auto session = std::make_shared<Session>(std::move(socket), handler, self->hub);
        std::erase_if(self->sessions, [](const auto& w) { return w.expired(); });
        self->sessions.push_back(session);
        session->start();
      }
      self->accept(acceptor, handler);
    });
  }
};

HttpServer::HttpServer(asio::io_context& io) : impl_(std::make_shared<Impl>(io)) {}

HttpServer::~HttpServer() { stop(); }

tl::expected<std::uint16_t, Error> HttpServer::listen(const std::string& address,
                                                      std::uint16_t port, Handler handler) {
  beast::error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  if (ec)
    return tl::unexpected(Error::bad_input(fmt::format("'{}' is not an IP address", address)));
  auto& acceptor = impl_->acceptors.emplace_back(impl_->io);
  const tcp::endpoint endpoint{ip, port};
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    impl_->acceptors.pop_back();
    return tl::unexpected(Error::not_available(
        fmt::format("cannot listen on {}:{}: {}", address, port, ec.message())));
  }
  const auto bound = acceptor.local_endpoint().port();
  impl_->accept(acceptor, std::make_shared<Handler>(std::move(handler)));
  return bound;
}

void HttpServer::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  for (auto& a : impl_->acceptors) {
    beast::error_code ec;
    a.close(ec);
  }
  for (auto& w : impl_->sessions)
    if (auto s = w.lock()) s->close();
  if (impl_->hub) {
    for (auto& w : impl_->hub->clients)
      if (auto c = w.lock()) c->close();
  }
}

void HttpServer::enable_websocket(std::string path, std::function<std::string()> greeting) {
  impl_->hub = std::make_shared<WsHub>(WsHub{std::move(path), std::move(greeting), {}});
}

void HttpServer::broadcast(std::string text) {
  if (!impl_->hub) return;
  auto message = std::make_shared<const std::string>(std::move(text));
  std::erase_if(impl_->hub->clients, [](const auto& w) { return w.expired(); });
  for (auto& w : impl_->hub->clients)
    if (auto c = w.lock()) c->send(message);
}

std::size_t HttpServer::websocket_clients() const {
  if (!impl_->hub) return 0;
  std::size_t n = 0;
  for (auto& w : impl_->hub->clients)
    if (auto c = w.lock(); c && c->open()) ++n;
  return n;
}

}  // namespace wattshare
