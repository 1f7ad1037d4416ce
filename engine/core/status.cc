#include "engine/core/status.h"

namespace cutover {

const std::string& Status::message() const {
  static const std::string kEmpty;
  return rep_ ? rep_->message : kEmpty;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  return Status(rep_->code, std::string(context) + ": " + rep_->message);
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return rep_->message;
}

Status InvalidArgument(std::string m) {
  return Status(StatusCode::kInvalidArgument, std::move(m));
}
Status NotFound(std::string m) {
  return Status(StatusCode::kNotFound, std::move(m));
}
Status Unavailable(std::string m) {
  return Status(StatusCode::kUnavailable, std::move(m));
}
Status PermissionDenied(std::string m) {
  return Status(StatusCode::kPermissionDenied, std::move(m));
}
Status FailedPrecondition(std::string m) {
  return Status(StatusCode::kFailedPrecondition, std::move(m));
}
Status DataLoss(std::string m) {
  return Status(StatusCode::kDataLoss, std::move(m));
}
Status Aborted(std::string m) {
  return Status(StatusCode::kAborted, std::move(m));
}
Status Internal(std::string m) {
  return Status(StatusCode::kInternal, std::move(m));
}

}  // namespace cutover
