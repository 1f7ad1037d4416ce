// Status and Result<T>: the error vocabulary of every I/O path.
//
// Design: a Status is either OK (no allocation, cheap to return) or an error code plus a
// one-line message that already carries its context (table, column, source position). Context
// is added where it is known with `WithContext`, so the message reads outward-in:
// "table public.t: COPY failed: connection lost". Messages must never contain secrets; URIs are
// redacted before they reach a Status (see uri.h).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace cutover {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // bad input from the user: URI, pattern, option
  kNotFound,            // table, slot, task that does not exist
  kUnavailable,         // cannot connect, server gone: worth retrying
  kPermissionDenied,    // authentication, privileges
  kFailedPrecondition,  // server not configured for CDC, table without key
  kDataLoss,            // checksum mismatch, purged log, corrupt spool
  kAborted,             // stopped by signal
  kInternal,            // broken invariant, protocol violation
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message)
      : rep_(std::make_shared<Rep>(Rep{code, std::move(message)})) {}

  static Status Ok() { return Status(); }
  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  const std::string& message() const;

  // Returns a copy whose message is "context: message". OK stays OK.
  Status WithContext(std::string_view context) const;

  std::string ToString() const;

 private:
  struct Rep {
    StatusCode code;
    std::string message;
  };
  std::shared_ptr<const Rep> rep_;
};

Status InvalidArgument(std::string message);
Status NotFound(std::string message);
Status Unavailable(std::string message);
Status PermissionDenied(std::string message);
Status FailedPrecondition(std::string message);
Status DataLoss(std::string message);
Status Aborted(std::string message);
Status Internal(std::string message);

// Result<T>: a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    if (std::get<Status>(v_).ok()) v_ = Internal("Result constructed from OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace cutover

#define CUTOVER_CONCAT_INNER(a, b) a##b
#define CUTOVER_CONCAT(a, b) CUTOVER_CONCAT_INNER(a, b)

// Returns from the enclosing function if `expr` (a Status) is not OK.
#define RETURN_IF_ERROR(expr)       \
  do {                              \
    ::cutover::Status _st = (expr); \
    if (!_st.ok()) return _st;      \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, MakeX())`: unwraps a Result or returns its Status.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(CUTOVER_CONCAT(_res_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
