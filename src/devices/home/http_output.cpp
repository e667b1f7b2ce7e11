#include "devices/home/http_output.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace wattshare::home {

constexpr Duration kRefresh = seconds(30);

HttpOutput::HttpOutput(const surplus::HttpOutputConfig& c, Value v, std::string what)
    : c_(c), value_(v), what_(std::move(what)),
      client_(c.host, static_cast<std::uint16_t>(c.port), std::chrono::milliseconds(c.timeout_ms)) {}

std::string HttpOutput::target(int value) const {
  return value_ == Value::kPercent ? c_.target_for(value) : c_.target_for(value != 0);
}

void HttpOutput::command(TimePoint now, int value) {
  if (error_.empty() && value == acked_ && sent_ && now - *sent_ < kRefresh) return;
  sent_ = now;
  const std::string t = target(value);
  auto r = client_.request("GET", t);
  if (r && r->status / 100 == 2) {
    acked_ = value;
    error_.clear();
    return;
  }
  // Not acknowledged: what it does is unknown, so it is not counted, and the error shows.
  acked_ = 0;
  error_ = r ? fmt::format("{} http://{}:{}{} answered HTTP {}", what_, c_.host, c_.port, t, r->status)
             : fmt::format("{} http://{}:{}{}: {}", what_, c_.host, c_.port, t, r.error().message);
  spdlog::warn("{}", error_);
}

void HttpOutput::switch_off() { (void)client_.request("GET", target(0)); }

}  // namespace wattshare::home
