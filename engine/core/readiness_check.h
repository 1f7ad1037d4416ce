// Readiness checks: the named checks of `cutover test-connection` and `cutover assess`.
//
// Design: a DMS user reads an endpoint test and a premigration assessment as a list of named
// checks, each passed / warning / failed / not applicable, with the objects it concerns and what
// to do. One vocabulary serves both commands and every engine: a driver adds the checks of one
// endpoint (EngineDriver::CheckEndpoint, engine/core/driver.h), the pipeline adds the task's own
// (every refusal `replicate` can make at start, engine/pipeline/start_checks.h), and the CLI
// renders the list. A check's id is stable ("pg.wal_level", "tables.primary_key"): scripts and
// docs/operations.md refer to it. Details and objects never carry a password (URIs are
// redacted, engine/core/uri.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cutover {

// What the checks of an endpoint assume: the options of `test-connection` and `assess`.
struct EndpointCheckOptions {
  // A source transaction open longer than this is named ("pg.long_transactions"): creating the
  // task's slot waits for it (--long-transaction-seconds).
  int64_t long_transaction_seconds = 300;
};

enum class CheckStatus : uint8_t { kPassed, kNotApplicable, kWarning, kFailed };

// "passed", "not applicable", "warning", "failed".
std::string_view CheckStatusName(CheckStatus s);

struct ReadinessCheck {
  std::string id;     // stable id, "<scope>.<what>": "pg.wal_level", "tables.primary_key"
  std::string title;  // what is checked, for people: "wal_level is logical"
  CheckStatus status = CheckStatus::kPassed;
  std::string detail;                // what was found: "wal_level=replica"
  std::vector<std::string> objects;  // what it concerns: "table public.payment", "column ..."
  std::string remedy;                // what to do when it is not passed; may be empty
};

// An ordered list of checks; adding a check whose id is already listed merges into it (objects
// appended, the worse status kept), so several sources of the same finding give one check.
class CheckList {
 public:
  ReadinessCheck& Add(ReadinessCheck check);
  ReadinessCheck& Pass(std::string id, std::string title, std::string detail = "");
  ReadinessCheck& NotApplicable(std::string id, std::string title, std::string detail);
  ReadinessCheck& Warn(std::string id, std::string title, std::string detail, std::string remedy,
                       std::vector<std::string> objects = {});
  ReadinessCheck& Fail(std::string id, std::string title, std::string detail, std::string remedy,
                       std::vector<std::string> objects = {});
  // Adds every check of `other` (merging as Add does).
  void Append(const CheckList& other);

  const std::vector<ReadinessCheck>& checks() const { return checks_; }
  const ReadinessCheck* Find(std::string_view id) const;
  int64_t Count(CheckStatus s) const;
  bool failed() const { return Count(CheckStatus::kFailed) > 0; }

 private:
  std::vector<ReadinessCheck> checks_;
};

}  // namespace cutover
