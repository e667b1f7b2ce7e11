// APIS config.json: one unit's identity, its driver family and where its other files are.
// Read once at start (reference §2.2). A relative file path is resolved as APIS does, against
// the working directory, when that file exists; otherwise against the folder of config.json,
// which keeps examples runnable from anywhere.
//   auto unit = load_unit_config("examples/apis-sample/units/E001/config.json");
#pragma once

#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "core/error.hpp"
#include "core/json_file.hpp"

namespace wattshare {

enum class SystemType { kDcdcEmulator, kDcdcV1, kDcdcV2 };
std::string_view to_string(SystemType t);

struct Endpoint {
  std::string host = "localhost";
  int port = 0;
};

struct WatchdogConfig {
  bool enabled = false;
  long long period_ms = 5000;
  Endpoint endpoint{"localhost", 12345};
  std::string uri = "/restart";
  long long request_timeout_ms = 5000;
};

struct UnitConfig {
  // Keys wattshare reads but cannot honour, named (batteryCapacityManagement).
  std::vector<std::string> warnings;
  std::string program_id = "apis-main";
  std::string community_id;
  std::string cluster_id;
  bool security_enabled = false;
  std::string pem_key_file;
  std::string pem_cert_file;
  std::string unit_id;
  std::string unit_name;
  std::string serial_number;
  SystemType system_type = SystemType::kDcdcEmulator;
  std::string hw_config_file;  // resolved paths
  std::string policy_file;
  std::string scenario_file;
  std::string state_file_format = "{tmpdir}/apis/state/%s";
  std::string deal_log_dir_format = "'{tmpdir}/apis/dealLog/'uuuu'/'MM'/'dd";
  std::string lock_file_format = "{tmpdir}/.apis.%s.lock";
  long long policy_file_read_timeout_ms = 60000;
  Endpoint emulator{"localhost", 4390};
  Endpoint dcdc_controller{"localhost", 4380};
  Endpoint emu_driver{"localhost", 8080};
  bool control_center_enabled = true;  // APIS's code default when absent (reference §12.9)
  bool battery_capacity_management_enabled = false;
  WatchdogConfig watchdog;
  std::string source_path;
};

[[nodiscard]] tl::expected<UnitConfig, Error> parse_unit_config(const Json& doc,
                                                                const std::string& origin);
[[nodiscard]] tl::expected<UnitConfig, Error> load_unit_config(const std::string& path);

// `relative` against the folder of `file` (unchanged when absolute or empty).
std::string resolve_beside(const std::string& file, const std::string& relative);
// APIS's rule first (working directory, if the file is there), then resolve_beside().
std::string resolve_apis_path(const std::string& file, const std::string& relative);

}  // namespace wattshare
