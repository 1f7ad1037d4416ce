#include "engine/core/change.h"

namespace cutover {

const char* ChangeOpName(ChangeOp op) {
  switch (op) {
    case ChangeOp::kRead:
      return "read";
    case ChangeOp::kInsert:
      return "insert";
    case ChangeOp::kUpdate:
      return "update";
    case ChangeOp::kDelete:
      return "delete";
    case ChangeOp::kTruncate:
      return "truncate";
  }
  return "?";
}

}  // namespace cutover
