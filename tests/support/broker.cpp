#include "support/broker.hpp"

#include <thread>

#include "support/http_client.hpp"

namespace wattshare::test {

Broker::Broker() : port_(free_tcp_port()) {
  process_ = std::make_unique<ChildProcess>(std::vector<std::string>{"/usr/sbin/mosquitto", "-p", std::to_string(port_)});
  // mosquitto_pub retries nothing: wait until the broker accepts connections.
  for (int i = 0; i < 100 && !publish("probe", "x"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

bool Broker::publish(const std::string& topic, const std::string& payload, bool retain) const {
  std::vector<std::string> argv{"/usr/bin/mosquitto_pub", "-p", std::to_string(port_), "-t", topic, "-m", payload};
  if (retain) argv.push_back("-r");
  return run_command(argv, std::chrono::milliseconds(2000)).exit_code == 0;
}

}  // namespace wattshare::test
