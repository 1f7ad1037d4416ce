// RowsNotFoundLog: how the pipeline reports target rows an applier's UPDATE or DELETE did not
// find (RowsNotFound, engine/core/endpoint.h), for every target alike.
//
// Such a row means the target differs from the source: something changed or deleted it behind
// the task's back (or a table was loaded from a different source). Applying goes on, as the
// source's row is gone or changed anyway; what the applier did instead (nothing, or an insert
// from the columns it had) is said. The first few are logged one by one with their key, so the
// user can look them up; after that they are only counted, so a diverged table cannot flood the
// log. `cutover validate` finds every difference.
#pragma once

#include <cstdint>
#include <string>

#include "engine/core/endpoint.h"

namespace cutover {

class RowsNotFoundLog : public RowsNotFoundReport {
 public:
  static constexpr int64_t kLogged = 10;  // reports logged one by one

  void Report(const RowsNotFound& r) override;
  int64_t rows() const { return rows_; }        // target rows not found so far
  int64_t reports() const { return reports_; }  // statements that found fewer rows

  // The log line of `r`, e.g. "update on public.t key (7): target row not found (the target
  // differs from the source)".
  static std::string Describe(const RowsNotFound& r);

 private:
  int64_t rows_ = 0;
  int64_t reports_ = 0;
};

}  // namespace cutover
