// The error model. Recoverable failures are values: `tl::expected<T, Error>`, where Error holds a
// small code callers branch on and a message that names where and what. APIS's own error
// classification (category, extent, level) is kept beside it for the engine's handling matrix.
//   if (!r) { if (r.error().code == ErrorCode::kTimeout) retry(); }
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace wattshare {

enum class ErrorCode {
  kNotAvailable,   // the device or peer is not there (yet)
  kTimeout,        // no answer in time
  kMustRetry,      // a transient condition; the same call may succeed later
  kBadInput,       // a request, frame or reply that does not parse or is out of range
  kInvalidConfig,  // a configuration file that cannot be used
  kRejected,       // refused on purpose (stale fencing token, wrong mode, interlock held)
  kInternal,       // a failure of our own machinery (I/O error, resource exhausted)
};

std::string_view to_string(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;

  static Error not_available(std::string m) { return {ErrorCode::kNotAvailable, std::move(m)}; }
  static Error timeout(std::string m) { return {ErrorCode::kTimeout, std::move(m)}; }
  static Error must_retry(std::string m) { return {ErrorCode::kMustRetry, std::move(m)}; }
  static Error bad_input(std::string m) { return {ErrorCode::kBadInput, std::move(m)}; }
  static Error invalid_config(std::string m) { return {ErrorCode::kInvalidConfig, std::move(m)}; }
  static Error rejected(std::string m) { return {ErrorCode::kRejected, std::move(m)}; }
  static Error internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }
};

// APIS error classification (reference §5): what failed, how far it reaches, how bad it is.
enum class ErrorCategory { kHardware, kFramework, kLogic, kUser, kUnknown };
enum class ErrorExtent { kGlobal, kLocal, kUnknown };
enum class ErrorLevel { kWarn, kError, kFatal, kUnknown };

std::string_view to_string(ErrorCategory c);
std::string_view to_string(ErrorExtent e);
std::string_view to_string(ErrorLevel l);

// One APIS error record: `(CATEGORY:EXTENT:LEVEL:unitId) message` when logged.
struct ApisError {
  ErrorCategory category = ErrorCategory::kUnknown;
  ErrorExtent extent = ErrorExtent::kUnknown;
  ErrorLevel level = ErrorLevel::kUnknown;
  std::string unit_id;
  std::string message;
};

std::string format_apis_error(const ApisError& e);

}  // namespace wattshare
