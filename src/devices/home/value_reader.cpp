#include "devices/home/value_reader.hpp"

#include <fmt/format.h>

#include "core/json_path.hpp"

namespace wattshare::home {

ValueReader::ValueReader(surplus::ValueSource s, Duration period, Duration max_age, MqttBus* bus)
    : s_(std::move(s)), period_(period), max_age_(max_age), bus_(bus) {
  if (s_.kind == surplus::ValueSource::Kind::kHttp) {
    http_ = std::make_unique<HttpClient>(s_.host, static_cast<std::uint16_t>(s_.port), std::chrono::milliseconds(s_.timeout_ms));
  } else {
    bus_->watch(s_.topic);
  }
}

void ValueReader::poll_http(TimePoint now) {
  if (tried_at_ && now - *tried_at_ < period_) return;
  tried_at_ = now;
  auto r = http_->request("GET", s_.target);
  if (!r) {
    error_ = r.error().message;
  } else if (r->status / 100 != 2) {
    error_ = fmt::format("answered HTTP {}", r->status);
  } else if (const auto v = number_in_payload(r->body, s_.field)) {
    value_ = v;
    read_at_ = now;
    fresh_ = true;
    error_.clear();
  } else {
    error_ = s_.field.empty() ? "the answer is not a number" : fmt::format("no number at \"{}\" in the answer", s_.field);
  }
}

Measured<double> ValueReader::read(TimePoint now) {
  fresh_ = false;
  if (http_) {
    poll_http(now);
  } else if (const auto m = bus_->last(s_.topic); m && m->count != seen_) {
    seen_ = m->count;
    if (const auto v = number_in_payload(m->payload, s_.field)) {
      value_ = v;
      read_at_ = m->at;
      fresh_ = true;
      error_.clear();
    } else {
      error_ = fmt::format("no number {}in \"{}\"", s_.field.empty() ? "" : fmt::format("at \"{}\" ", s_.field),
                           m->payload.substr(0, 80));
    }
  }
  if (read_at_ && now - *read_at_ <= max_age_) return *value_;
  std::string why = error_;
  if (why.empty()) {
    why = read_at_ ? fmt::format("nothing new for {:.0f} s", to_seconds(now - *read_at_)) : "no reading yet";
  }
  return tl::unexpected(fmt::format("{}: {}", s_.describe(), why));
}

}  // namespace wattshare::home
