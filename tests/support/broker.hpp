// A real mosquitto broker for a test, on a free loopback port, stopped (by pid) with the object;
// mosquitto_pub for a device's messages.
//   test::Broker broker;  broker.publish("tele/sml/SENSOR", R"({"SML":{"Power_curr":-812}})");
#pragma once

#include <memory>
#include <string>

#include "support/process.hpp"

namespace wattshare::test {

class Broker {
 public:
  Broker();  // returns once the broker accepts connections
  [[nodiscard]] int port() const { return port_; }
  // true once mosquitto_pub delivered it to the broker.
  bool publish(const std::string& topic, const std::string& payload, bool retain = false) const;

 private:
  int port_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace wattshare::test
