// Status and Result<T>: the one error type that crosses module boundaries.
//
// Every function that can fail across a component boundary (config loading, rule
// compilation, collector start-up, store access) returns a Status or a Result<T>.
// Both are [[nodiscard]]: ignoring a failure is a compile-time warning (an error in CI).
// Library exceptions (yaml-cpp, nlohmann::json, Boost) are caught where the library is
// called and turned into a Status; no exception crosses a component boundary.
//
// A Status is cheap to copy when ok (no allocation). Messages are written for the person
// who reads the log: they say what failed and, where known, where (FILE:LINE:COL).
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace vigil {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,   // the caller's input is wrong (bad config value, bad rule)
  kNotFound,          // a named thing does not exist (file, collector type, field)
  kAlreadyExists,     // a name registered twice
  kIoError,           // the operating system refused (open, read, bind)
  kParseError,        // input text could not be parsed
  kUnavailable,       // try again later (queue closed, peer down)
  kFailedPrecondition,// called in the wrong state
  kUnimplemented,     // the feature is not available in this build yet
  kInternal,          // a bug in Vigil
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status ParseError(std::string m) { return {StatusCode::kParseError, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status Unimplemented(std::string m) { return {StatusCode::kUnimplemented, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  // An IoError carrying strerror(err) after `what`, e.g. "open /x: No such file or directory".
  static Status FromErrno(std::string_view what, int err);

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid argument: <message>", or "ok".
  std::string ToString() const;

  // Marks a status as deliberately ignored (rare; say why at the call site).
  void IgnoreError() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or the Status that explains why there is none. Never holds an ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok() && "Result built from an ok Status");
    if (std::get<Status>(v_).ok()) v_ = Status::Internal("Result built from an ok Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // The error; Status::Ok() when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace vigil

// Propagates a non-ok Status out of the calling function.
#define VIGIL_RETURN_IF_ERROR(expr)            \
  do {                                         \
    ::vigil::Status vigil_status_ = (expr);    \
    if (!vigil_status_.ok()) return vigil_status_; \
  } while (0)
