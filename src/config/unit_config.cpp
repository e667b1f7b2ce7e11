#include "config/unit_config.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "core/json_fields.hpp"

namespace wattshare {

std::string_view to_string(SystemType t) {
  switch (t) {
    case SystemType::kDcdcEmulator: return "dcdc_emulator";
    case SystemType::kDcdcV1: return "dcdc_v1";
    case SystemType::kDcdcV2: return "dcdc_v2";
  }
  return "dcdc_emulator";
}

std::string resolve_beside(const std::string& file, const std::string& relative) {
  if (relative.empty()) return relative;
  const std::filesystem::path p{relative};
  if (p.is_absolute()) return relative;
  return (std::filesystem::path{file}.parent_path() / p).lexically_normal().string();
}

std::string resolve_apis_path(const std::string& file, const std::string& relative) {
  if (relative.empty() || std::filesystem::path{relative}.is_absolute()) return relative;
  std::error_code ec;
  if (std::filesystem::exists(relative, ec)) return relative;
  return resolve_beside(file, relative);
}

namespace {

Endpoint read_endpoint(JsonFields& f, const std::string& key, Endpoint fallback) {
  if (f.find(key) == nullptr) return fallback;
  Endpoint e;
  e.host = f.string_or(key + ".host", fallback.host);
  e.port = static_cast<int>(f.integer_or(key + ".port", fallback.port));
  if (e.port < 0 || e.port > 65535)
    f.fail(key + ".port", fmt::format("must be a TCP port 0-65535, got {}", e.port));
  return e;
}

}  // namespace

tl::expected<UnitConfig, Error> parse_unit_config(const Json& doc, const std::string& origin) {
  JsonFields f{doc, origin};
  if (!f.root_is_object()) return tl::unexpected(f.failure());
  UnitConfig c;
  c.source_path = origin;
  c.program_id = f.string_or("programId", c.program_id);
  c.community_id = f.string_or("communityId", "");
  c.cluster_id = f.string_or("clusterId", "");
  c.security_enabled = f.boolean_or("security.enabled", false);
  c.pem_key_file = resolve_beside(origin, f.string_or("security.pemKeyFile", ""));
  c.pem_cert_file = resolve_beside(origin, f.string_or("security.pemCertFile", ""));
  c.unit_id = f.string("unitId");
  if (f.find("unitId") != nullptr && c.unit_id.empty()) f.fail("unitId", "must not be empty");
  c.unit_name = f.string_or("unitName", c.unit_id);
  c.serial_number = f.string_or("serialNumber", "");
  const std::string type = f.string("systemType");
  if (type == "dcdc_emulator") {
    c.system_type = SystemType::kDcdcEmulator;
  } else if (type == "dcdc_v1") {
    c.system_type = SystemType::kDcdcV1;
  } else if (type == "dcdc_v2") {
    c.system_type = SystemType::kDcdcV2;
  } else if (f.find("systemType") != nullptr && f.find("systemType")->is_string()) {
    f.fail("systemType",
           fmt::format("unknown value '{}' (expected dcdc_emulator, dcdc_v1 or dcdc_v2)", type));
  }
  c.hw_config_file = resolve_apis_path(origin, f.string("hwConfigFile"));
  c.policy_file = resolve_apis_path(origin, f.string("policyFile"));
  c.scenario_file = resolve_apis_path(origin, f.string("scenarioFile"));
  c.state_file_format = f.string_or("stateFileFormat", c.state_file_format);
  c.deal_log_dir_format = f.string_or("dealLogDirFormat", c.deal_log_dir_format);
  c.lock_file_format = f.string_or("fileSystemExclusiveLockFileFormat", c.lock_file_format);
  c.policy_file_read_timeout_ms =
      f.integer_or("policyFileReadTimeoutMsec", c.policy_file_read_timeout_ms);
  c.emulator = read_endpoint(f, "connection.emulator", c.emulator);
  c.dcdc_controller = read_endpoint(f, "connection.dcdc_controller", c.dcdc_controller);
  c.emu_driver = read_endpoint(f, "connection.emu_driver", c.emu_driver);
  c.control_center_enabled = f.boolean_or("controlCenter.enabled", true);
  c.battery_capacity_management_enabled =
      f.boolean_or("batteryCapacityManagement.enabled", false);
  if (c.battery_capacity_management_enabled)
    f.warn("batteryCapacityManagement.enabled",
           "not supported: wattshare runs one process per battery, so there is no capacity to share between "
           "processes; the unit trades with its whole battery");
  c.watchdog.enabled = f.boolean_or("watchdog.enabled", false);
  c.watchdog.period_ms = f.integer_or("watchdog.periodMsec", c.watchdog.period_ms);
  c.watchdog.endpoint.host = f.string_or("watchdog.host", c.watchdog.endpoint.host);
  c.watchdog.endpoint.port =
      static_cast<int>(f.integer_or("watchdog.port", c.watchdog.endpoint.port));
  c.watchdog.uri = f.string_or("watchdog.uri", c.watchdog.uri);
  c.watchdog.request_timeout_ms =
      f.integer_or("watchdog.requestTimeoutMsec", c.watchdog.request_timeout_ms);
  if (c.watchdog.period_ms <= 0)
    f.fail("watchdog.periodMsec", fmt::format("must be > 0, got {}", c.watchdog.period_ms));
  if (!f.ok()) return tl::unexpected(f.failure());
  c.warnings = f.warnings();
  return c;
}

tl::expected<UnitConfig, Error> load_unit_config(const std::string& path) {
  return load_json_file(path).and_then(
      [&](const Json& doc) { return parse_unit_config(doc, path); });
}

}  // namespace wattshare
