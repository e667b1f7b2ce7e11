// A SunSpec Modbus TCP server (libmodbus) serving the SolarEdge map from 40000, its values asked
// from `site()` at every request (the physics behind `wattshare sunspec-sim`). One client at a
// time, as SolarEdge inverters: a new connection replaces the old one.
//   SunSpecServer s{"127.0.0.1", 0, [&] { return values_now(); }};  s.run(stop);
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include <tl/expected.hpp>

#include "core/error.hpp"
#include "devices/sunspec/solaredge_map.hpp"

struct _modbus;
struct _modbus_mapping_t;

namespace wattshare::sunspec {

class SunSpecServer {
 public:
  [[nodiscard]] static tl::expected<std::unique_ptr<SunSpecServer>, Error> listen(
      const std::string& host, int port, std::function<SiteValues()> site);
  ~SunSpecServer();
  SunSpecServer(const SunSpecServer&) = delete;
  SunSpecServer& operator=(const SunSpecServer&) = delete;

  [[nodiscard]] int port() const { return port_; }
  // Serves until `stop` (checked every 50 ms).
  void run(const std::atomic<bool>& stop);
  [[nodiscard]] std::uint64_t requests() const { return requests_.load(); }

 private:
  SunSpecServer() = default;
  _modbus* ctx_ = nullptr;
  _modbus_mapping_t* map_ = nullptr;
  int listen_fd_ = -1;
  int port_ = 0;
  std::function<SiteValues()> site_;
  std::atomic<std::uint64_t> requests_{0};
};

}  // namespace wattshare::sunspec
