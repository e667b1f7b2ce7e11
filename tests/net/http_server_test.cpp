// The HTTP server holds under abuse, over real sockets on loopback (its io_context on a thread of
// the test): oversized bodies and headers get 413 and 431, a client over the connection cap gets
// 503, a slow client is closed, a browser's request is refused before any handler runs, a
// WebSocket needs its token, and an answer may come from another thread.
#include "net/http_server.hpp"

#include "net/http_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <future>
#include <thread>

#include "support/http_client.hpp"
#include "support/raw_socket.hpp"

namespace wattshare {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A server on its own thread; `listen` runs on that thread, as everything of the server must.
class Server {
 public:
  Server() : work_(boost::asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
  template <typename F>
  auto on_loop(F f) {
    std::packaged_task<decltype(f())()> task{std::move(f)};
    auto result = task.get_future();
    boost::asio::post(io_, [&task] { task(); });
    return result.get();
  }
  ~Server() {
    on_loop([this] {
      http_.stop();
      return 0;
    });
    work_.reset();
    io_.stop();
    thread_.join();
  }
  std::uint16_t listen(HttpServer::Handler h, ListenerAccess access = {}) {
    return on_loop([&] { return http_.listen("127.0.0.1", 0, std::move(h), std::move(access)).value(); });
  }
  HttpServer& http() { return http_; }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  HttpServer http_{io_};
  std::thread thread_;
};

HttpResponse hello(const HttpRequest&) { return json_response(200, R"({"hello":true})"); }

int status_of(const std::string& raw) { return raw.rfind("HTTP/1.1 ", 0) == 0 ? std::atoi(raw.c_str() + 9) : 0; }

TEST(HttpServer, OversizedBodiesAndHeadersAreRefusedWithTheirOwnStatus) {
  Server s;
  const auto port = s.listen(hello);
  const std::string body(2 << 20, 'x');
  EXPECT_EQ(status_of(test::raw_exchange("127.0.0.1", port,
                                         "POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + std::to_string(body.size()) +
                                             "\r\n\r\n" + body)),
            413);
  const std::string cookie(20 << 10, 'c');
  EXPECT_EQ(status_of(test::raw_exchange("127.0.0.1", port, "GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + cookie + "\r\n\r\n")),
            431);
  EXPECT_EQ(test::http_get("127.0.0.1", port, "/x").status, 200);  // and it goes on serving
}

TEST(HttpServer, ConnectionsOverTheCapGet503AndTheServerRecovers) {
  Server s;
  const auto port = s.listen(hello);
  s.on_loop([&] {
    s.http().set_max_connections(4);
    return 0;
  });
  std::vector<test::RawSocket> held;
  for (int i = 0; i < 4; ++i) held.emplace_back("127.0.0.1", port);  // idle keep-alive clients
  for (int i = 0; i < 50 && s.on_loop([&] { return s.http().stats().open_connections; }) < 4; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  const auto busy = test::http_get("127.0.0.1", port, "/x");
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(busy.body, R"({"error":"too many connections; try again"})");
  EXPECT_EQ(s.on_loop([&] { return s.http().stats().refused_busy; }), 1u);
  held.clear();
  int status = 0;
  for (int i = 0; i < 100 && status != 200; ++i) status = test::http_get("127.0.0.1", port, "/x").status;
  EXPECT_EQ(status, 200);
}

// Found: a request could take 60 s to arrive. A slow-loris client now loses its connection
// within 10 s.
TEST(HttpServer, AClientThatSendsItsRequestTooSlowlyIsClosedWithinTenSeconds) {
  Server s;
  const auto port = s.listen(hello);
  test::RawSocket slow{"127.0.0.1", port};
  slow.send("GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  const auto t0 = std::chrono::steady_clock::now();
  // One header line a second, never the end of the headers.
  bool closed = false;
  for (int i = 0; i < 15 && !closed; ++i) {
    slow.send("X-Slow-" + std::to_string(i) + ": 1\r\n");
    closed = slow.closed_within(milliseconds(1000));
  }
  EXPECT_TRUE(closed);
  EXPECT_LE(std::chrono::steady_clock::now() - t0, seconds(12));
}

TEST(HttpServer, ARequestABrowserSentIsRefusedBeforeTheHandler) {
  Server s;
  int handled = 0;
  const auto port = s.listen([&](const HttpRequest& r) {
    ++handled;
    return hello(r);
  });
  const auto page = test::http_request_with_headers("127.0.0.1", port, "GET", "/x", {{"Origin", "http://evil.example"}});
  EXPECT_EQ(page.status, 403);
  const auto rebinding = test::http_request_with_headers("127.0.0.1", port, "GET", "/x", {{"Host", "evil.example:" + std::to_string(port)}});
  EXPECT_EQ(rebinding.status, 403);
  EXPECT_EQ(handled, 0);
  EXPECT_EQ(test::http_get("127.0.0.1", port, "/x").status, 200);
  EXPECT_EQ(handled, 1);
}

TEST(HttpServer, AWebSocketNeedsItsToken) {
  Server s;
  s.on_loop([&] {
    s.http().enable_websocket("/ws", [] { return std::string("hi"); }, "0123456789abcdef");
    return 0;
  });
  const auto port = s.listen(hello, ListenerAccess{.callers = ListenerAccess::Callers::kOwnPages});
  const auto upgrade = [&](const std::string& target, const std::string& origin) {
    return status_of(test::raw_exchange("127.0.0.1", port,
                                        "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                                            "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: " + origin + "\r\n\r\n",
                                        milliseconds(2000)));
  };
  const std::string own = "http://127.0.0.1:" + std::to_string(port);
  EXPECT_EQ(upgrade("/ws", own), 401);
  EXPECT_EQ(upgrade("/ws?token=0123456789abcdee", own), 401);
  EXPECT_EQ(upgrade("/ws?token=0123456789abcdef", "http://evil.example"), 403);  // a cross-site WebSocket
  EXPECT_EQ(upgrade("/ws?token=0123456789abcdef", own), 101);
}

TEST(HttpServer, AnAnswerMayComeFromAnotherThread) {
  Server s;
  std::vector<std::thread> workers;
  const auto port = s.on_loop([&] {
    return s.http()
        .listen_deferred("127.0.0.1", 0,
                         [&](const HttpRequest& r, HttpServer::Respond respond) {
                           workers.emplace_back([target = r.target, respond = std::move(respond)] {
                             respond(json_response(200, "{\"from\":\"" + target + "\"}"));
                           });
                         })
        .value();
  });
  const auto r = test::http_get("127.0.0.1", port, "/worker");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"from":"/worker"})");
  for (auto& w : workers) w.join();
}

// Found: a watch on a half-open connection waited for ever. A stream that brings nothing for its
// idle time ends with a timeout (the watch then re-opens).
TEST(HttpClient, AStreamThatStaysSilentEndsAfterItsIdleTime) {
  Server s;
  // A server that keeps the connection and never answers (a half-open one looks the same).
  std::vector<HttpServer::Respond> never;
  const auto port = s.on_loop([&] {
    return s.http()
        .listen_deferred("127.0.0.1", 0, [&](const HttpRequest&, HttpServer::Respond r) { never.push_back(std::move(r)); })
        .value();
  });
  HttpClient client{"127.0.0.1", port, milliseconds(1000)};
  const auto t0 = std::chrono::steady_clock::now();
  const auto ended = client.stream("POST", "/v3/watch", "{}", [](std::string_view) { return true; }, milliseconds(300));
  ASSERT_FALSE(ended);
  EXPECT_EQ(ended.error().code, ErrorCode::kTimeout);
  EXPECT_NE(ended.error().message.find("nothing for 300 ms"), std::string::npos) << ended.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, seconds(5));
  s.on_loop([&] {  // the held connections go on the server's thread
    never.clear();
    return 0;
  });
}

}  // namespace
}  // namespace wattshare
