// SQLite change stream: polls the task's change table and delivers each poll as one transaction.
//
// Transaction boundaries. The triggers (sqlite_capture.h) cannot see transactions: SQLite has
// no transaction id. But a read transaction only ever sees whole committed write transactions,
// and there is one writer at a time, so the largest seq M visible in a read transaction is the
// last change row of a committed source transaction: everything up to M is a union of whole
// source transactions. A poll therefore opens one read transaction, takes M, and delivers the
// change rows (last, M] as one stream transaction at position M (several source transactions
// grouped, never a partial one). A poll also stops at any snapshot position recorded in the meta
// table (sqlite_position.h), so that no transaction straddles the position a table was loaded
// at.
//
// What a poll delivers. Change rows name touched keys, not row images. Inside the same read
// transaction the poll groups the rows by (table, key) in SQLite (a sorter that spills to
// disk: memory stays bounded however many rows a source transaction wrote), takes for each key
// whether it existed before its first change in the poll, and reads the row's current values:
//   existed before, exists now      -> UPDATE with the whole row
//   absent before,  exists now      -> INSERT
//   existed before, gone now        -> DELETE of the key
//   absent before,  gone now        -> nothing
// which is exactly the net effect of the poll's source transactions on that key, and the state
// at a source commit boundary. Changes stream out one at a time, so a 200,000-row source
// transaction is never held in memory. Intermediate versions of a row inside one poll are not
// delivered (nothing on the target could have seen them: the poll commits as one transaction).
//
// Schema changes: the stream checks PRAGMA schema_version at every poll, and when it moved,
// that each captured table still has its columns, key and triggers (VerifyCapture): otherwise it
// stops with an error saying what to do.
//
// Pruning (Confirm): change rows at or before the target's checkpoint are deleted in batches of
// a few thousand rows, each its own short write transaction, at most about once a second, with a
// short busy timeout: the engine is a second writer on the source file and must not hold up the
// application. A busy database just postpones the pruning. The row with the largest seq is
// always kept, so new rows keep getting larger seqs (INTEGER PRIMARY KEY without AUTOINCREMENT
// takes max + 1; AUTOINCREMENT would leave a sqlite_sequence table behind after `task drop`).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/core/endpoint.h"

namespace cutover::sqlite {

// Opens the stream of `task`'s changes to `tables` after `from` (empty: from the first change).
Result<std::unique_ptr<ChangeStream>> OpenSqliteStream(const std::string& uri,
                                                       const std::string& task,
                                                       const std::vector<TableSchemaPtr>& tables,
                                                       const Position& from);

}  // namespace cutover::sqlite
