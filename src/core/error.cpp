#include "core/error.hpp"

#include <fmt/format.h>

namespace wattshare {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNotAvailable: return "not_available";
    case ErrorCode::kTimeout: return "timeout";
    case ErrorCode::kMustRetry: return "must_retry";
    case ErrorCode::kBadInput: return "bad_input";
    case ErrorCode::kInvalidConfig: return "invalid_config";
    case ErrorCode::kRejected: return "rejected";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

std::string_view to_string(ErrorCategory c) {
  switch (c) {
    case ErrorCategory::kHardware: return "HARDWARE";
    case ErrorCategory::kFramework: return "FRAMEWORK";
    case ErrorCategory::kLogic: return "LOGIC";
    case ErrorCategory::kUser: return "USER";
    case ErrorCategory::kUnknown: return "UNKNOWN";
  }
  return "UNKNOWN";
}

std::string_view to_string(ErrorExtent e) {
  switch (e) {
    case ErrorExtent::kGlobal: return "GLOBAL";
    case ErrorExtent::kLocal: return "LOCAL";
    case ErrorExtent::kUnknown: return "UNKNOWN";
  }
  return "UNKNOWN";
}

std::string_view to_string(ErrorLevel l) {
  switch (l) {
    case ErrorLevel::kWarn: return "WARN";
    case ErrorLevel::kError: return "ERROR";
    case ErrorLevel::kFatal: return "FATAL";
    case ErrorLevel::kUnknown: return "UNKNOWN";
  }
  return "UNKNOWN";
}

std::string format_apis_error(const ApisError& e) {
  return fmt::format("({}:{}:{}:{}) {}", to_string(e.category), to_string(e.extent),
                     to_string(e.level), e.unit_id, e.message);
}

}  // namespace wattshare
