// How a long-running command ends on Ctrl-C or SIGTERM: an Asio loop runs `on_stop` (stop the
// servers, keep a last record) and returns; a blocking loop watches a flag the signals raise.
#pragma once

#include <atomic>
#include <functional>

namespace boost::asio {
class io_context;
}

namespace wattshare::app {

// Runs `io` until SIGINT or SIGTERM, calling `on_stop` first.
void run_until_signal(boost::asio::io_context& io, const std::function<void()>& on_stop);
// Installs SIGINT/SIGTERM handlers and returns the flag they raise.
const std::atomic<bool>& stop_flag_on_signals();

}  // namespace wattshare::app
