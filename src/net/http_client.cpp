// Beast's client side; each exchange runs the client's own io_context for at most the timeout.
#include "net/http_client.hpp"

#include <mutex>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

namespace wattshare {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kMaxResponseBytes = 16 << 20;

http::verb verb_of(const std::string& method) {
  const auto v = http::string_to_verb(method);
  return v == http::verb::unknown ? http::verb::get : v;
}

}  // namespace

struct HttpClient::Impl {
  asio::io_context io;
  std::unique_ptr<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  // The io_context a running stream() uses, so stop() can end it from another thread.
  std::mutex stream_mutex;
  asio::io_context* streaming = nullptr;
  std::atomic<bool> stopped{false};

  // Closes the connection after a timeout and runs the cancelled handlers now, while what they
  // reference (the caller's locals) still exists.
  void abandon() {
    if (stream) {
      beast::error_code ignored;
      stream->socket().close(ignored);
    }
    io.restart();
    io.run();
    stream.reset();
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
};

HttpClient::HttpClient(std::string host, std::uint16_t port, std::chrono::milliseconds timeout)
    : host_(std::move(host)), port_(port), timeout_(timeout), impl_(std::make_unique<Impl>()) {}

HttpClient::~HttpClient() = default;

tl::expected<HttpResponse, Error> HttpClient::request(const std::string& method, const std::string& target,
                                                      const std::string& body, const std::string& content_type) {
  const std::string where = fmt::format("http://{}:{}{}", host_, port_, target);
  http::request<http::string_body> req{verb_of(method), target, 11};
  req.set(http::field::host, fmt::format("{}:{}", host_, port_));
  req.keep_alive(true);
  if (!body.empty() || method == "POST" || method == "PUT") {
    req.set(http::field::content_type, content_type);
    req.body() = body;
    req.prepare_payload();
  }
  // A kept-alive connection the peer has closed fails at once: retry once on a new one.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool fresh = impl_->stream == nullptr;
    if (fresh) {
      impl_->stream = std::make_unique<beast::tcp_stream>(impl_->io);
      impl_->buffer.clear();
      tcp::resolver resolver{impl_->io};
      beast::error_code ec;
      const auto endpoints = resolver.resolve(host_, std::to_string(port_), ec);
      if (ec) return tl::unexpected(Error::not_available(fmt::format("{}: {}", where, ec.message())));
      bool done = false;
      impl_->stream->async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) {
        ec = e;
        done = true;
      });
      if (!Impl::run_until(impl_->io, done, timeout_)) {
        impl_->abandon();
        return tl::unexpected(Error::timeout(fmt::format("{}: no connection within {} ms", where, timeout_.count())));
      }
      if (ec) {
        impl_->stream.reset();
        return tl::unexpected(Error::not_available(fmt::format("{}: cannot connect: {}", where, ec.message())));
      }
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxResponseBytes);
    beast::error_code ec;
    bool done = false;
    http::async_write(*impl_->stream, req, [&](beast::error_code e, std::size_t) {
      if (e) {
        ec = e;
        done = true;
        return;
      }
      http::async_read(*impl_->stream, impl_->buffer, parser, [&](beast::error_code e2, std::size_t) {
        ec = e2;
        done = true;
      });
    });
    if (!Impl::run_until(impl_->io, done, timeout_)) {
      impl_->abandon();
      return tl::unexpected(Error::timeout(fmt::format("{}: no answer within {} ms", where, timeout_.count())));
    }
    if (ec) {
      impl_->stream.reset();
      const bool closed = ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
                          ec == asio::error::broken_pipe || ec == asio::error::eof;
      if (!fresh && closed) continue;
      return tl::unexpected(Error::not_available(fmt::format("{}: {}", where, ec.message())));
    }
    auto res = parser.release();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    out.content_type = std::string(res[http::field::content_type]);
    out.body = std::move(res.body());
    if (!res.keep_alive()) impl_->stream.reset();
    return out;
  }
  return tl::unexpected(Error::not_available(fmt::format("{}: the connection keeps closing", where)));
}

tl::expected<void, Error> HttpClient::stream(const std::string& method, const std::string& target,
                                             const std::string& body,
                                             const std::function<bool(std::string_view)>& on_data) {
  const std::string where = fmt::format("http://{}:{}{}", host_, port_, target);
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

  beast::tcp_stream s{io};
  tcp::resolver resolver{io};
  beast::error_code ec;
  const auto endpoints = resolver.resolve(host_, std::to_string(port_), ec);
  if (ec) return tl::unexpected(Error::not_available(fmt::format("{}: {}", where, ec.message())));
  s.expires_after(timeout_);
  bool done = false;
  s.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) {
    ec = e;
    done = true;
  });
  io.run();
  if (ec || !done) return tl::unexpected(Error::not_available(fmt::format("{}: cannot connect: {}", where, ec.message())));

  http::request<http::string_body> req{verb_of(method), target, 11};
  req.set(http::field::host, fmt::format("{}:{}", host_, port_));
  req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  char piece[8192];
  bool keep_going = true;
  std::function<void()> read_more;
  read_more = [&] {
    parser.get().body().data = piece;
    parser.get().body().size = sizeof piece;
    http::async_read_some(s, buffer, parser, [&](beast::error_code e, std::size_t) {
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
  s.expires_never();
  http::async_write(s, req, [&](beast::error_code e, std::size_t) {
    if (e) {
      ec = e;
      return;
    }
    read_more();
  });
  io.restart();
  io.run();
  if (impl_->stopped || !keep_going || parser.is_done()) return {};
  if (ec == asio::error::operation_aborted) return {};
  return tl::unexpected(Error::not_available(fmt::format("{}: {}", where, ec ? ec.message() : "ended")));
}

void HttpClient::stop() {
  std::lock_guard lock{impl_->stream_mutex};
  impl_->stopped = true;
  if (impl_->streaming != nullptr) impl_->streaming->stop();
}

}  // namespace wattshare
