// A dimmer or relay driven over HTTP: a GET to the configured URL with the value in it (xlyric's
// "/?POWER={pct}", a Shelly's "/relay/0?turn={on}"); a 2xx answer acknowledges it. Sent when the
// value changes, after a failure and every 30 s (a device that restarted has forgotten it).
#pragma once

#include <optional>
#include <string>

#include "devices/home/home_devices.hpp"
#include "net/http_client.hpp"
#include "surplus/surplus_config.hpp"

namespace wattshare::home {

class HttpOutput final : public Output {
 public:
  enum class Value { kPercent, kOnOff };
  HttpOutput(const surplus::HttpOutputConfig& c, Value v, std::string what);
  void command(TimePoint now, int value) override;
  [[nodiscard]] int acknowledged() const override { return acked_; }
  [[nodiscard]] std::string error() const override { return error_; }
  void switch_off() override;

 private:
  [[nodiscard]] std::string target(int value) const;

  surplus::HttpOutputConfig c_;
  Value value_;
  std::string what_;
  HttpClient client_;
  int acked_ = 0;
  std::optional<TimePoint> sent_;
  std::string error_;
};

}  // namespace wattshare::home
