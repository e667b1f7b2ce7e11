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
// At the start of a server command: SIGINT/SIGTERM raise the flag instead of killing the process,
// so a command stopped while it starts still stops cleanly (run_until_signal looks at the flag).
void catch_stop_signals_early();
// Installs SIGINT/SIGTERM handlers and returns the flag they raise.
const std::atomic<bool>& stop_flag_on_signals();

}  // namespace wattshare::app
