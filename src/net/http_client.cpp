// Beast's client side; each exchange runs the client's own io_context for at most the timeout.
// A connection is plain TCP or TLS (OpenSSL through Asio); the exchanges are written once for both.
#include "net/http_client.hpp"

#include <map>

#include <mutex>
#include <variant>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fmt/format.h>

namespace wattshare {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kMaxResponseBytes = 16 << 20;

http::verb verb_of(const std::string& method) {
  const auto v = http::string_to_verb(method);
  return v == http::verb::unknown ? http::verb::get : v;
}

// A request as both exchanges send it: a body (and its type) whenever there is one to send.
http::request<http::string_body> make_request(const std::string& method, const std::string& target,
                                              const std::string& host_port, const std::string& body,
                                              const std::string& content_type,
                                              const std::map<std::string, std::string>& headers) {
  http::request<http::string_body> req{verb_of(method), target, 11};
  req.set(http::field::host, host_port);
  for (const auto& [name, value] : headers) req.set(name, value);
  if (!body.empty() || method == "POST" || method == "PUT") {
    req.set(http::field::content_type, content_type);
    req.body() = body;
    req.prepare_payload();
  }
  return req;
}

using Plain = beast::tcp_stream;
using Secure = beast::ssl_stream<beast::tcp_stream>;

// One connection, plain or TLS.
struct Connection {
  std::variant<std::unique_ptr<Plain>, std::unique_ptr<Secure>> stream;
  beast::tcp_stream& lowest() {
    return std::visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(*s); }, stream);
  }
  template <typename F>
  void with(F&& f) {
    std::visit([&](auto& s) { f(*s); }, stream);
  }
};

std::unique_ptr<ssl::context> make_tls_context(const TlsFiles& files, std::string& problem) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  beast::error_code ec;
  ctx->set_verify_mode(ssl::verify_peer, ec);
  if (!files.ca_file.empty()) ctx->load_verify_file(files.ca_file, ec);
  if (ec) problem = fmt::format("CA file {}: {}", files.ca_file, ec.message());
  if (!ec && !files.cert_file.empty()) ctx->use_certificate_chain_file(files.cert_file, ec);
  if (ec && problem.empty()) problem = fmt::format("certificate {}: {}", files.cert_file, ec.message());
  if (!ec && !files.key_file.empty()) ctx->use_private_key_file(files.key_file, ssl::context::pem, ec);
  if (ec && problem.empty()) problem = fmt::format("key {}: {}", files.key_file, ec.message());
  return ctx;
}

}  // namespace

struct HttpClient::Impl {
  asio::io_context io;
  std::unique_ptr<ssl::context> tls;  // null: plain HTTP
  std::string tls_problem;            // a TLS file that could not be loaded
  std::optional<Connection> conn;
  beast::flat_buffer buffer;
  // The io_context a running stream() uses, so stop() can end it from another thread.
  std::mutex stream_mutex;
  asio::io_context* streaming = nullptr;
  std::atomic<bool> stopped{false};

  // Closes the connection after a timeout and runs the cancelled handlers now, while what they
  // reference (the caller's locals) still exists.
  void abandon() {
    if (conn) {
      beast::error_code ignored;
      conn->lowest().socket().close(ignored);
    }
    io.restart();
    io.run();
    conn.reset();
  }

  // Runs `io` until `done` or the deadline; false on timeout.
  static bool run_until(asio::io_context& io, const bool& done, std::chrono::milliseconds timeout) {
    io.restart();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done) {
      const auto left = deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) return false;
      if (io.run_one_for(left) == 0 && !done) return false;
    }
    return true;
  }

  // A new connection on `ctx`: TCP connect, then the TLS handshake when configured. `run` drives
  // the io_context until a flag is set, false on timeout.
  template <typename Run>
  tl::expected<Connection, Error> open(asio::io_context& ctx, const std::string& host, std::uint16_t port,
                                       const std::string& where, Run&& run) {
    if (!tls_problem.empty()) return tl::unexpected(Error::invalid_config(fmt::format("{}: {}", where, tls_problem)));
    tcp::resolver resolver{ctx};
    beast::error_code ec;
    const auto endpoints = resolver.resolve(host, std::to_string(port), ec);
    if (ec) return tl::unexpected(Error::not_available(fmt::format("{}: {}", where, ec.message())));
    Connection c;
    if (tls) {
      c.stream = std::make_unique<Secure>(ctx, *tls);
    } else {
      c.stream = std::make_unique<Plain>(ctx);
    }
    bool done = false;
    c.lowest().async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) {
      ec = e;
      done = true;
    });
    if (!run(done)) return tl::unexpected(Error::timeout(fmt::format("{}: no connection in time", where)));
    if (ec) return tl::unexpected(Error::not_available(fmt::format("{}: cannot connect: {}", where, ec.message())));
    if (auto* secure = std::get_if<std::unique_ptr<Secure>>(&c.stream)) {
      SSL_set_tlsext_host_name((*secure)->native_handle(), host.c_str());
      // The certificate must be for this host (its name or IP address), not merely signed by the CA.
      (*secure)->set_verify_callback(ssl::host_name_verification(host));
      done = false;
      (*secure)->async_handshake(ssl::stream_base::client, [&](beast::error_code e) {
        ec = e;
        done = true;
      });
      if (!run(done)) return tl::unexpected(Error::timeout(fmt::format("{}: no TLS handshake in time", where)));
      if (ec) return tl::unexpected(Error::rejected(fmt::format("{}: TLS handshake: {}", where, ec.message())));
    }
    return c;
  }
};

HttpClient::HttpClient(std::string host, std::uint16_t port, std::chrono::milliseconds timeout,
                       std::optional<TlsFiles> tls)
    : host_(std::move(host)), port_(port), timeout_(timeout), scheme_(tls ? "https" : "http"),
      impl_(std::make_unique<Impl>()) {
  if (tls) impl_->tls = make_tls_context(*tls, impl_->tls_problem);
}

HttpClient::~HttpClient() = default;

tl::expected<HttpResponse, Error> HttpClient::request(const std::string& method, const std::string& target,
                                                      const std::string& body, const std::string& content_type) {
  const std::string where = fmt::format("{}://{}:{}{}", scheme_, host_, port_, target);
  const auto req = make_request(method, target, fmt::format("{}:{}", host_, port_), body, content_type, headers_);
  auto run = [this](const bool& done) { return Impl::run_until(impl_->io, done, timeout_); };
  // A kept-alive connection the peer has closed fails at once: retry once on a new one.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool fresh = !impl_->conn.has_value();
    if (fresh) {
      impl_->buffer.clear();
      auto c = impl_->open(impl_->io, host_, port_, where, run);
      if (!c) {
        impl_->abandon();
        return tl::unexpected(c.error());
      }
      impl_->conn = std::move(*c);
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxResponseBytes);
    beast::error_code ec;
    bool done = false;
    impl_->conn->with([&](auto& s) {
      http::async_write(s, req, [&](beast::error_code e, std::size_t) {
        if (e) {
          ec = e;
          done = true;
          return;
        }
        http::async_read(s, impl_->buffer, parser, [&](beast::error_code e2, std::size_t) {
          ec = e2;
          done = true;
        });
      });
    });
    if (!run(done)) {
      impl_->abandon();
      return tl::unexpected(Error::timeout(fmt::format("{}: no answer within {} ms", where, timeout_.count())));
    }
    if (ec) {
      impl_->abandon();
      const bool closed = ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
                          ec == asio::error::broken_pipe || ec == asio::error::eof || ec == ssl::error::stream_truncated;
      if (!fresh && closed) continue;
      return tl::unexpected(Error::not_available(fmt::format("{}: {}", where, ec.message())));
    }
    auto res = parser.release();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    out.content_type = std::string(res[http::field::content_type]);
    out.body = std::move(res.body());
    if (!res.keep_alive()) impl_->abandon();
    return out;
  }
  return tl::unexpected(Error::not_available(fmt::format("{}: the connection keeps closing", where)));
}

tl::expected<void, Error> HttpClient::stream(const std::string& method, const std::string& target,
                                             const std::string& body,
                                             const std::function<bool(std::string_view)>& on_data,
                                             std::chrono::milliseconds idle) {
  const std::string where = fmt::format("{}://{}:{}{}", scheme_, host_, port_, target);
  asio::io_context io;
  {
    std::lock_guard lock{impl_->stream_mutex};
    if (impl_->stopped) return {};
    impl_->streaming = &io;
  }
  struct Unregister {
    Impl& impl;
    ~Unregister() {
      std::lock_guard lock{impl.stream_mutex};
      impl.streaming = nullptr;
    }
  } unregister{*impl_};

  auto run = [&](const bool& done) { return Impl::run_until(io, done, timeout_) || impl_->stopped; };
  auto conn = impl_->open(io, host_, port_, where, run);
  if (!conn) {
    io.restart();
    io.run();  // cancelled handlers of a half-open connection
    return impl_->stopped ? tl::expected<void, Error>{} : tl::expected<void, Error>(tl::unexpected(conn.error()));
  }
  const auto req = make_request(method, target, fmt::format("{}:{}", host_, port_), body, "application/json", headers_);
  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  char piece[8192];
  bool keep_going = true;
  bool idle_out = false;
  beast::error_code ec;
  asio::steady_timer idle_timer{io};
  conn->with([&](auto& s) {
    // Each piece that arrives restarts the idle clock; when it runs out the read is cancelled.
    auto arm_idle = [&] {
      if (idle.count() <= 0) return;
      idle_timer.expires_after(idle);
      idle_timer.async_wait([&](beast::error_code e) {
        if (e) return;
        idle_out = true;
        beast::get_lowest_layer(s).cancel();
      });
    };
    std::function<void()> read_more = [&] {
      parser.get().body().data = piece;
      parser.get().body().size = sizeof piece;
      arm_idle();
      http::async_read_some(s, buffer, parser, [&](beast::error_code e, std::size_t) {
        idle_timer.cancel();
        if (e == http::error::need_buffer) e = {};
        if (e) {
          ec = e;
          return;
        }
        const std::size_t got = sizeof piece - parser.get().body().size;
        if (got > 0 && !on_data(std::string_view(piece, got))) keep_going = false;
        if (keep_going && !parser.is_done()) read_more();
      });
    };
    http::async_write(s, req, [&](beast::error_code e, std::size_t) {
      if (e) {
        ec = e;
        return;
      }
      read_more();
    });
    io.restart();
    io.run();
  });
  if (impl_->stopped || !keep_going || parser.is_done()) return {};
  if (idle_out) {
    return tl::unexpected(Error::timeout(fmt::format("{}: nothing for {} ms (a half-open connection?)", where, idle.count())));
  }
  if (ec == asio::error::operation_aborted) return {};
  return tl::unexpected(Error::not_available(fmt::format("{}: {}", where, ec ? ec.message() : "ended")));
}

void HttpClient::set_header(const std::string& name, std::string value) {
  if (value.empty()) {
    headers_.erase(name);
  } else {
    headers_[name] = std::move(value);
  }
}

void HttpClient::stop() {
  std::lock_guard lock{impl_->stream_mutex};
  impl_->stopped = true;
  if (impl_->streaming != nullptr) impl_->streaming->stop();
}

}  // namespace wattshare
