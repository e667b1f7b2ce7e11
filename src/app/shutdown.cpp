#include "app/shutdown.hpp"

#include <csignal>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

namespace wattshare::app {
namespace {

std::atomic<bool> g_stop{false};
void raise_stop(int) { g_stop.store(true); }

}  // namespace

void run_until_signal(boost::asio::io_context& io, const std::function<void()>& on_stop) {
  boost::asio::signal_set signals{io, SIGINT, SIGTERM};
  signals.async_wait([&](const boost::system::error_code&, int) {
    on_stop();
    io.stop();
  });
  // A signal that came while the command was starting (caught by catch_stop_signals_early)
  // stops it as cleanly as one that comes now.
  if (g_stop.load()) {
    on_stop();
    return;
  }
  io.run();
}

void catch_stop_signals_early() {
  std::signal(SIGINT, raise_stop);
  std::signal(SIGTERM, raise_stop);
}

const std::atomic<bool>& stop_flag_on_signals() {
  std::signal(SIGINT, raise_stop);
  std::signal(SIGTERM, raise_stop);
  return g_stop;
}

}  // namespace wattshare::app
