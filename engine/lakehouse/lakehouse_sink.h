// LakehouseSink: the file target's Sink (engine/core/endpoint.h), append-only and not
// transactional: exactly-once comes from the manifest (lakehouse_manifest.h).
//
//   ReadTaskState        reads the task's manifest; creates nothing.
//   CreateControlTables  checks the folder is writable, checks the settings are those the
//                        task's files were written with, and cleans up: temporary files of
//                        uploads a crash interrupted, and complete files no manifest lists
//                        (written after the last manifest), so the folder holds exactly what
//                        the manifest says.
//   BeginTableLoad       LOAD files of the table (rolled at MaxFileSize); Commit completes them
//                        and writes the manifest with the table loaded, replacing the table's
//                        earlier files unless the prep is do-nothing (then deletes those).
//   OpenApplier          one CDC file per table touched, open until the group commits; a group
//                        is committed when a file reaches CdcMinFileSize or the group is
//                        CdcMaxBatchInterval old (Applier::CommitDue); Commit completes the
//                        files and writes the manifest with the group's position. A source
//                        schema change (AlterTable) completes the table's open file and is
//                        committed in that manifest, in order with the files around it: the
//                        files before it keep their shape (lakehouse_manifest.h).
//                        PreserveTransactions: one transaction file for every table instead
//                        (rows in commit order, lakehouse_layout.h), listed in the manifest
//                        under each table it has rows of; the same commit rule.
//                        Called again (a reconnect after an outage), it re-reads the manifest
//                        and cleans up as a new run does: a commit that failed may have left
//                        files no manifest lists, or a manifest the store took without saying so.
// One task per folder (or per BucketFolder): the clean-up keeps only files some task's
// manifest lists.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/core/endpoint.h"
#include "engine/lakehouse/lakehouse_manifest.h"
#include "engine/lakehouse/lakehouse_settings.h"
#include "engine/lakehouse/object_store.h"

namespace cutover::lakehouse {

// The task's manifest as the sink keeps it: shared by the loaders (parallel) and the applier.
class TaskFiles {
 public:
  TaskFiles(ObjectStore& store, Manifest m) : store_(store), m_(std::move(m)) {}
  ObjectStore& store() { return store_; }
  const LakehouseSettings& settings() const { return m_.settings; }
  // Runs `change` on a copy of the manifest under the lock, writes it, then deletes `obsolete`
  // keys `change` returns (files the new manifest no longer lists). `change` returns them as a
  // std::vector<std::string>, or a Result of one: an error leaves the manifest as it was.
  template <typename F>
  Status Update(F&& change) {
    std::lock_guard<std::mutex> l(mu_);
    Manifest next = m_;
    Result<std::vector<std::string>> obsolete = change(next);
    RETURN_IF_ERROR(obsolete.status());
    RETURN_IF_ERROR(store_.PutAtomic(ManifestKey(next.task), EncodeManifest(next)));
    m_ = std::move(next);
    for (const auto& k : *obsolete) RETURN_IF_ERROR(store_.Delete(k));
    return Status::Ok();
  }
  template <typename F>
  auto Read(F&& f) {
    std::lock_guard<std::mutex> l(mu_);
    return f(m_);
  }

 private:
  ObjectStore& store_;
  std::mutex mu_;
  Manifest m_;
};

class LakehouseSink final : public Sink {
 public:
  LakehouseSink(std::unique_ptr<ObjectStore> store, LakehouseSettings settings)
      : store_(std::move(store)), settings_(std::move(settings)) {}
  std::string engine() const override { return "lakehouse"; }
  Result<TaskState> ReadTaskState(const std::string& task) override;
  Status CreateControlTables() override;
  Result<std::unique_ptr<TableLoader>> BeginTableLoad(const std::string& task,
                                                      const TableSchema& table,
                                                      TablePrep prep) override;
  Result<std::unique_ptr<Applier>> OpenApplier(const std::string& task) override;
  // The columns the task's manifest records for each table (its files' current shape).
  Result<std::map<TableName, TargetTableColumns>> ReadTargetColumns(
      const std::vector<TableSchemaPtr>& tables) override;
  Status DropTask(const std::string& task) override;

 private:
  Status Open(const std::string& task);
  std::unique_ptr<ObjectStore> store_;
  LakehouseSettings settings_;
  std::string task_;
  std::unique_ptr<TaskFiles> files_;
  bool applier_opened_ = false;  // OpenApplier again: re-read the store (a reconnect)
};

// Where `table` lands: its mapping's schema and name, else the source's.
TableName LandingName(const TableSchema& table);

}  // namespace cutover::lakehouse
