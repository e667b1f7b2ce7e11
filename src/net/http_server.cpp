// The only translation unit that includes Boost.Beast (compile cost: see dependencies.md).
#include "net/http_server.hpp"

#include <deque>
#include <list>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <fmt/format.h>

#include "core/secret.hpp"

namespace wattshare {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kMaxBodyBytes = 1 << 20;     // beyond: 413
constexpr std::size_t kMaxHeaderBytes = 16 << 10;  // beyond: 431
// A request must arrive whole within this, and a kept-alive connection may wait this long for
// its next one: a slow client (slow-loris) holds a connection for 10 s at most.
constexpr auto kRequestTimeout = std::chrono::seconds(10);
constexpr std::size_t kMaxQueuedMessages = 64;
// Accept errors (EMFILE: out of descriptors) are retried after a pause growing to 1 s, instead
// of at once in a loop that would take a whole core and starve every connection.
constexpr auto kFirstAcceptBackoff = std::chrono::milliseconds(20);
constexpr auto kMaxAcceptBackoff = std::chrono::milliseconds(1000);

// One open connection, counted against the server's cap for as long as it lives (moved to the
// WebSocket session when a connection upgrades).
class ConnectionSlot {
 public:
  explicit ConnectionSlot(std::shared_ptr<std::size_t> open) : open_(std::move(open)) { ++*open_; }
  ConnectionSlot(ConnectionSlot&& o) noexcept : open_(std::move(o.open_)) {}
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(ConnectionSlot&&) = delete;
  ~ConnectionSlot() {
    if (open_) --*open_;
  }

 private:
  std::shared_ptr<std::size_t> open_;
};

namespace websocket = beast::websocket;

// One WebSocket client: messages go out in order, one write at a time.
class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(beast::tcp_stream&& stream, ConnectionSlot slot) : ws_(std::move(stream)), slot_(std::move(slot)) {}

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
  ConnectionSlot slot_;
  beast::flat_buffer in_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  bool open_ = false;
};

// Where upgrades go: set by HttpServer::enable_websocket.
struct WsHub {
  std::string path;
  std::function<std::string()> greeting;
  std::string token;
  std::vector<std::weak_ptr<WsSession>> clients;
};

template <typename Request>
HttpRequest to_request(Request& req) {
  HttpRequest r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  r.body = std::move(req.body());
  auto header = [&](auto field) {
    auto it = req.find(field);
    return it != req.end() ? std::string(it->value()) : std::string();
  };
  r.authorization = header(http::field::authorization);
  r.host = header(http::field::host);
  r.origin = header(http::field::origin);
  r.content_type = header(http::field::content_type);
  r.sec_fetch_site = header("Sec-Fetch-Site");
  for (const auto& f : req) {
    if (beast::iequals(f.name_string().substr(0, 10), "sec-fetch-")) r.sec_fetch = true;
  }
  return r;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ConnectionSlot slot, std::shared_ptr<HttpServer::DeferredHandler> handler,
          std::shared_ptr<const ListenerAccess> access, std::shared_ptr<WsHub> hub)
      : stream_(std::move(socket)), slot_(std::move(slot)), handler_(std::move(handler)), access_(std::move(access)),
        hub_(std::move(hub)) {}

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
    parser_->header_limit(kMaxHeaderBytes);
    stream_.expires_after(kRequestTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       self->on_read(ec);
                     });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec) {
      if (ec == http::error::body_limit) {
        respond_error(413, fmt::format("request body over {} bytes", kMaxBodyBytes));
        return;
      }
      if (ec == http::error::header_limit) {
        respond_error(431, fmt::format("request headers over {} bytes", kMaxHeaderBytes));
        return;
      }
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
    const bool upgrade = websocket::is_upgrade(req);
    HttpRequest request = to_request(req);
    // Who may talk to this listener is decided before anything else (ListenerAccess).
    if (auto refused = refusal(request, *access_)) {
      write(std::move(*refused), false, req.version());
      return;
    }
    const std::string_view path = std::string_view(request.target).substr(0, request.target.find('?'));
    if (hub_ && upgrade && path == hub_->path) {
      if (!hub_->token.empty() && !bearer_matches(request.authorization, hub_->token)) {
        const auto target = parse_target(request.target);
        const auto given = target ? target->query.find("token") : std::map<std::string, std::string>::const_iterator{};
        if (!target || given == target->query.end() || !secrets_equal(given->second, hub_->token)) {
          write(json_response(401, R"json({"error":"this WebSocket needs the token (?token=...)"})json"), false, req.version());
          return;
        }
      }
      auto ws = std::make_shared<WsSession>(std::move(stream_), std::move(slot_));
      std::erase_if(hub_->clients, [](const auto& w) { return w.expired(); });
      hub_->clients.push_back(ws);
      ws->start(parser_->release(), hub_->greeting ? hub_->greeting() : std::string());
      return;
    }
    // The answer may come from another thread: it is written from this connection's executor.
    auto respond = [self = shared_from_this(), keep_alive = req.keep_alive(), version = req.version()](HttpResponse r) {
      asio::post(self->stream_.get_executor(), [self, r = std::move(r), keep_alive, version]() mutable {
        self->write(std::move(r), keep_alive, version);
      });
    };
    try {
      (*handler_)(request, respond);
    } catch (const std::exception& e) {
      respond(json_response(500, nlohmann_free_error(e.what())));
    }
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
    stream_.expires_after(kRequestTimeout);  // a client that does not read its answer is closed too
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
  ConnectionSlot slot_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<HttpServer::DeferredHandler> handler_;
  std::shared_ptr<const ListenerAccess> access_;
  std::shared_ptr<WsHub> hub_;
};

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  // One bound port, and its pause after accept errors. The timer exists before any error: out of
  // descriptors, nothing new is made (not even a sanitizer's check of a new type can run then).
  struct Listener {
    explicit Listener(asio::io_context& io) : acceptor(io), backoff_timer(io) {}
    tcp::acceptor acceptor;
    asio::steady_timer backoff_timer;
    std::chrono::milliseconds backoff{0};
  };

  explicit Impl(asio::io_context& i) : io(i) {}
  asio::io_context& io;
  std::list<Listener> listeners;
  std::vector<std::weak_ptr<Session>> sessions;
  std::shared_ptr<WsHub> hub;
  bool stopped = false;
  std::size_t max_connections = HttpServer::kDefaultMaxConnections;
  std::shared_ptr<std::size_t> open = std::make_shared<std::size_t>(0);  // HTTP and WebSocket
  std::uint64_t refused_busy = 0, accept_errors = 0;

  void accept(Listener& l, std::shared_ptr<DeferredHandler> handler, std::shared_ptr<const ListenerAccess> access) {
    l.acceptor.async_accept([self = shared_from_this(), &l, handler, access](beast::error_code ec, tcp::socket socket) {
      if (self->stopped || ec == asio::error::operation_aborted) return;
      if (ec) {
        // Out of descriptors (EMFILE), buffers...: wait before the next try, longer each time.
        ++self->accept_errors;
        l.backoff = std::min(kMaxAcceptBackoff, std::max(kFirstAcceptBackoff, l.backoff * 2));
        l.backoff_timer.expires_after(l.backoff);
        l.backoff_timer.async_wait([self, &l, handler, access](beast::error_code e) {
          if (!e && !self->stopped) self->accept(l, handler, access);
        });
        return;
      }
      l.backoff = std::chrono::milliseconds(0);
      if (*self->open >= self->max_connections) {
        self->refuse_busy(std::move(socket));
      } else {
        socket.set_option(tcp::no_delay(true), ec);
        auto session = std::make_shared<Session>(std::move(socket), ConnectionSlot{self->open}, handler, access, self->hub);
        std::erase_if(self->sessions, [](const auto& w) { return w.expired(); });
        self->sessions.push_back(session);
        session->start();
      }
      self->accept(l, handler, access);
    });
  }

  // Over the cap: a short 503 and the connection closed, so clients back off instead of waiting.
  void refuse_busy(tcp::socket socket) {
    ++refused_busy;
    static constexpr std::string_view k503 =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: 43\r\n"
        "Retry-After: 1\r\nConnection: close\r\n\r\n{\"error\":\"too many connections; try again\"}";
    auto s = std::make_shared<tcp::socket>(std::move(socket));
    asio::async_write(*s, asio::buffer(k503.data(), k503.size()), [s](beast::error_code, std::size_t) {
      beast::error_code ignored;
      s->shutdown(tcp::socket::shutdown_both, ignored);
      s->close(ignored);
    });
  }
};

HttpServer::HttpServer(asio::io_context& io) : impl_(std::make_shared<Impl>(io)) {}

HttpServer::~HttpServer() { stop(); }

tl::expected<std::uint16_t, Error> HttpServer::listen(const std::string& address, std::uint16_t port, Handler handler,
                                                      ListenerAccess access) {
  return listen_deferred(
      address, port, [h = std::move(handler)](const HttpRequest& r, const Respond& respond) { respond(h(r)); },
      std::move(access));
}

tl::expected<std::uint16_t, Error> HttpServer::listen_deferred(const std::string& address, std::uint16_t port,
                                                               DeferredHandler handler, ListenerAccess access) {
  beast::error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  if (ec)
    return tl::unexpected(Error::bad_input(fmt::format("'{}' is not an IP address", address)));
  auto& listener = impl_->listeners.emplace_back(impl_->io);
  auto& acceptor = listener.acceptor;
  const tcp::endpoint endpoint{ip, port};
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    impl_->listeners.pop_back();
    return tl::unexpected(Error::not_available(
        fmt::format("cannot listen on {}:{}: {}", address, port, ec.message())));
  }
  const auto bound = acceptor.local_endpoint().port();
  access.port = bound;
  impl_->accept(listener, std::make_shared<DeferredHandler>(std::move(handler)),
                std::make_shared<const ListenerAccess>(std::move(access)));
  return bound;
}

void HttpServer::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  for (auto& l : impl_->listeners) {
    beast::error_code ec;
    l.acceptor.close(ec);
    l.backoff_timer.cancel();
  }
  for (auto& w : impl_->sessions)
    if (auto s = w.lock()) s->close();
  if (impl_->hub) {
    for (auto& w : impl_->hub->clients)
      if (auto c = w.lock()) c->close();
  }
}

void HttpServer::set_max_connections(std::size_t n) { impl_->max_connections = std::max<std::size_t>(1, n); }

HttpServerStats HttpServer::stats() const {
  return {*impl_->open, impl_->refused_busy, impl_->accept_errors};
}

void HttpServer::enable_websocket(std::string path, std::function<std::string()> greeting, std::string token) {
  impl_->hub = std::make_shared<WsHub>(WsHub{std::move(path), std::move(greeting), std::move(token), {}});
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
