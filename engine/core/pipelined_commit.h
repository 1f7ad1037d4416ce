// PipelinedCommit: an applier whose commit may be sent without waiting for the target, so that
// the CDC loop reads and folds the next group while the target still works on this one.
//
// Design: the pipeline's exactly-once rests on the checkpoint row committing in the same target
// transaction as the changes (Applier::Commit); that stays. What changes is only when the loop
// learns the outcome: SendCommit queues the checkpoint and COMMIT of the open transaction and
// returns; the next group's statements may follow on the same session (they run in a new target
// transaction after it). The loop tells the source (or prunes the change spool) that a position
// is applied only after AwaitCommit returned OK for it, and it awaits the previous commit before
// sending the next one: a commit that failed is therefore never followed by a later one, and the
// open transaction behind it is rolled back when the failed session is closed. A crash with a
// commit in flight leaves the target either with it (checkpoint included) or without it; the
// restart reads the checkpoint and replays from there, as with a synchronous commit.
//
// Appliers opt in by also deriving from this class (the loop finds it with dynamic_cast); the
// loop uses it only under the default error policies (no savepoint windows, which need every
// earlier statement's outcome before they act).
#pragma once

#include "engine/core/position.h"
#include "engine/core/status.h"

namespace cutover {

class PipelinedCommit {
 public:
  virtual ~PipelinedCommit() = default;
  // Records `applied` as the checkpoint in the open target transaction and sends its COMMIT,
  // without waiting for the outcome. At most one commit is in flight: the caller awaits the
  // previous one first.
  virtual Status SendCommit(const Position& applied) = 0;
  // Waits for the commit sent last (and everything sent before it); OK once it committed.
  // OK at once when none is in flight.
  virtual Status AwaitCommit() = 0;
};

}  // namespace cutover
