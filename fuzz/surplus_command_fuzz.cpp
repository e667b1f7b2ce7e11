// Any bytes as what reaches the surplus daemon from outside: the first line is an MQTT topic or
// an HTTP target, the rest a payload or request body. An error or a mode change, never a crash;
// after any of them the router still cycles and the status still serialises.
#include <cstddef>
#include <cstdint>
#include <string>

#include "surplus/emulated_site.hpp"
#include "surplus/mqtt_messages.hpp"
#include "surplus/surplus_http.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wattshare;
  using namespace wattshare::surplus;
  static const SurplusConfig cfg = [] {
    auto c = parse_surplus_config(Json::object(), "defaults").value();
    c.mqtt.prefix = "wattshare/h";
    c.site.start = from_civil(2021, 5, 22) + hours(3);
    return c;
  }();
  const std::string input(reinterpret_cast<const char*>(data), size);
  const auto nl = input.find('\n');
  const std::string first = input.substr(0, nl);
  const std::string rest = nl == std::string::npos ? std::string{} : input.substr(nl + 1);

  TimePoint wall = from_civil(2030, 1, 1);
  SurplusController c{cfg, std::make_unique<EmulatedSite>(cfg.site, cfg.dimmer, [&] { return wall; })};
  c.cycle();
  if (auto cmd = parse_mode_command(cfg.mqtt, first, rest)) (void)c.set_mode(cmd->load, cmd->mode, cmd->duration);
  HttpRequest post{"POST", "/api/surplus/mode", rest, "Bearer fuzz-token"};
  post.content_type = "application/json";
  (void)handle_surplus_request(c, post, "fuzz-token");
  (void)handle_surplus_request(c, HttpRequest{"GET", first, {}, {}}, "fuzz-token");
  wall += seconds(1);
  c.cycle();
  (void)dump_json(c.status());
  return 0;
}
