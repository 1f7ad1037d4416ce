// The s3:// ObjectStore (object_store.h): a lakehouse target's objects in an S3 bucket (or any
// S3-compatible store) under the URI's prefix.
//
// Design: each ObjectStore operation maps onto S3 directly. A streamed upload buffers one part
// (`part_size`, default 8 MiB, at least S3's 5 MiB) and sends it with UploadPart as soon as it is
// full; Complete() sends the last part and CompleteMultipartUpload, the one request that makes
// the object visible, whole. A file smaller than one part is sent by a single PutObject at
// Complete() (S3 makes an object visible only once its PUT succeeded), so small CDC files cost
// one request. An upload destroyed without Complete() is aborted; a crash leaves an incomplete
// multipart upload, which RemoveAbandoned lists under the prefix and aborts (S3 bills its parts
// until then). PutAtomic is PutObject (readers see the old or the new object); List is
// ListObjectsV2 with continuation. Where the credentials, region and endpoint come from:
// s3_client.h. Only `s3://bucket[/prefix]`; keys are relative to the prefix.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "engine/core/status.h"
#include "engine/lakehouse/object_store.h"
#include "engine/lakehouse/s3/aws_credentials.h"

namespace cutover::lakehouse::s3 {

inline constexpr int64_t kMinPartSize = int64_t{5} << 20;
inline constexpr int64_t kDefaultPartSize = int64_t{8} << 20;

// `uri`: s3://bucket[/prefix]. `part_size` 0: the default; below kMinPartSize: kInvalidArgument.
Result<std::unique_ptr<ObjectStore>> OpenS3Store(const std::string& uri, int64_t part_size,
                                                 const EnvLookup& env);

}  // namespace cutover::lakehouse::s3
