// ObjectStore: where a lakehouse target's files live, reduced to what an object store offers.
//
// Design: a lakehouse target writes whole objects and never changes one in place, so the engine
// needs only five operations, and each has a direct object-store meaning: a streamed upload
// that becomes visible only when completed (local folder: write a hidden temporary file, fsync,
// rename; S3: multipart upload, CompleteMultipartUpload), a small atomic put (the manifest),
// list under a prefix, read, delete. The local folder (`file:///abs/path`, local_store.cc) and
// an `s3://bucket/prefix` store (s3/s3_store.h: SigV4 requests, multipart upload) implement it;
// the sink, the manifest and the scanner know only this interface.
//
// Keys are '/'-separated relative paths ("sales/public/orders/LOAD00000001.csv"); a key never
// starts with '/' nor contains "..". Errors name the key and the store (never a credential).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/status.h"

namespace cutover::lakehouse {

// One object being written. Nothing is visible under its key until Complete() returns OK; an
// upload destroyed without Complete() is abandoned (its temporary data removed where possible;
// a crash may leave temporary data, which ObjectStore::RemoveAbandoned clears).
class ObjectUpload {
 public:
  virtual ~ObjectUpload() = default;
  virtual Status Append(std::string_view bytes) = 0;
  // Makes the object durable and visible whole under its key.
  virtual Status Complete() = 0;
  virtual int64_t bytes() const = 0;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  // "file:///data/lake" (for messages).
  virtual std::string Describe() const = 0;
  // Checks that the store exists and can be written (creating the root folder when missing).
  virtual Status CheckWritable() = 0;
  virtual Result<std::unique_ptr<ObjectUpload>> BeginUpload(const std::string& key) = 0;
  // Replaces `key` atomically and durably with `bytes` (readers see the old or the new object).
  virtual Status PutAtomic(const std::string& key, std::string_view bytes) = 0;
  // nullopt-like: kNotFound when absent.
  virtual Result<std::string> Read(const std::string& key) = 0;
  // Every complete object whose key starts with `prefix`, sorted.
  virtual Result<std::vector<std::string>> List(const std::string& prefix) = 0;
  // Missing objects are not an error.
  virtual Status Delete(const std::string& key) = 0;
  // Removes what uploads that never completed left behind (a crash during an upload).
  virtual Status RemoveAbandoned() = 0;
};

struct ObjectStoreOptions {
  // s3://: the multipart upload's part size in bytes (0: 8 MiB; at least 5 MiB).
  int64_t part_size = 0;
};

// The store of a target URI: `file:///abs/path` (local_store.cc) or `s3://bucket[/prefix]`
// (s3/s3_store.h: credentials, region and endpoint from the AWS environment). Other schemes:
// kInvalidArgument.
Result<std::unique_ptr<ObjectStore>> OpenObjectStore(const std::string& uri,
                                                     const ObjectStoreOptions& options = {});

}  // namespace cutover::lakehouse
