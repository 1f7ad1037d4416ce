#include "engine/lakehouse/s3/s3_store.h"

#include <algorithm>

#include "engine/core/log.h"
#include "engine/lakehouse/s3/s3_client.h"

namespace cutover::lakehouse::s3 {
namespace {

class S3Upload final : public ObjectUpload {
 public:
  S3Upload(std::shared_ptr<S3Client> client, std::string key, int64_t part_size)
      : client_(std::move(client)), key_(std::move(key)), part_size_(part_size) {}

  ~S3Upload() override {
    if (upload_id_.empty() || completed_) return;
    Status s = client_->AbortMultipartUpload(key_, upload_id_);
    if (!s.ok()) Log(LogLevel::kDebug, "{} (left for the next start's clean-up)", s.message());
  }

  Status Append(std::string_view bytes) override {
    buf_.append(bytes);
    bytes_ += static_cast<int64_t>(bytes.size());
    if (static_cast<int64_t>(buf_.size()) >= part_size_) return SendPart();
    return Status::Ok();
  }

  Status Complete() override {
    if (upload_id_.empty()) {
      RETURN_IF_ERROR(client_->PutObject(key_, buf_));
    } else {
      if (!buf_.empty()) RETURN_IF_ERROR(SendPart());
      RETURN_IF_ERROR(client_->CompleteMultipartUpload(key_, upload_id_, etags_, bytes_));
    }
    completed_ = true;
    buf_.clear();
    buf_.shrink_to_fit();
    return Status::Ok();
  }

  int64_t bytes() const override { return bytes_; }

 private:
  Status SendPart() {
    if (upload_id_.empty()) {
      ASSIGN_OR_RETURN(upload_id_, client_->CreateMultipartUpload(key_));
    }
    ASSIGN_OR_RETURN(
        std::string etag,
        client_->UploadPart(key_, upload_id_, static_cast<int>(etags_.size()) + 1, buf_));
    etags_.push_back(std::move(etag));
    buf_.clear();
    return Status::Ok();
  }

  std::shared_ptr<S3Client> client_;
  std::string key_;
  int64_t part_size_;
  std::string buf_;
  std::string upload_id_;
  std::vector<std::string> etags_;
  int64_t bytes_ = 0;
  bool completed_ = false;
};

class S3Store final : public ObjectStore {
 public:
  S3Store(std::shared_ptr<S3Client> client, std::string prefix, int64_t part_size)
      : client_(std::move(client)), prefix_(std::move(prefix)), part_size_(part_size) {}

  std::string Describe() const override {
    return "s3://" + client_->config().bucket +
           (prefix_.empty() ? "" : "/" + prefix_.substr(0, prefix_.size() - 1));
  }

  // Lists (credentials, region, bucket), then writes and deletes a probe under the control
  // folder (write permission), so a task fails at start, not at its first file.
  Status CheckWritable() override {
    auto page = client_->ListObjects(prefix_ + "_cutover/", std::nullopt);
    if (!page.ok()) return StartError(page.status());
    std::string probe = prefix_ + "_cutover/.write-probe";
    if (Status s = client_->PutObject(probe, "probe"); !s.ok()) return StartError(s);
    return client_->DeleteObject(probe);
  }

  Result<std::unique_ptr<ObjectUpload>> BeginUpload(const std::string& key) override {
    ASSIGN_OR_RETURN(std::string full, FullKey(key));
    return std::unique_ptr<ObjectUpload>(new S3Upload(client_, full, part_size_));
  }

  Status PutAtomic(const std::string& key, std::string_view bytes) override {
    ASSIGN_OR_RETURN(std::string full, FullKey(key));
    return client_->PutObject(full, bytes);
  }

  Result<std::string> Read(const std::string& key) override {
    ASSIGN_OR_RETURN(std::string full, FullKey(key));
    return client_->GetObject(full);
  }

  Result<std::vector<std::string>> List(const std::string& prefix) override {
    std::vector<std::string> out;
    std::optional<std::string> token;
    do {
      ASSIGN_OR_RETURN(S3ListPage page, client_->ListObjects(prefix_ + prefix, token));
      for (auto& k : page.keys) {
        std::string rel = k.substr(prefix_.size());
        if (rel.empty() || rel.back() == '/') continue;  // "folder" marker objects
        // Hidden names (the write probe) are not objects of the target, as in a local folder.
        size_t slash = rel.rfind('/');
        if (rel[slash == std::string::npos ? 0 : slash + 1] == '.') continue;
        out.push_back(std::move(rel));
      }
      token = std::move(page.continuation);
    } while (token);
    std::sort(out.begin(), out.end());
    return out;
  }

  Status Delete(const std::string& key) override {
    ASSIGN_OR_RETURN(std::string full, FullKey(key));
    return client_->DeleteObject(full);
  }

  Status RemoveAbandoned() override {
    std::optional<std::pair<std::string, std::string>> from;
    int aborted = 0;
    do {
      ASSIGN_OR_RETURN(S3UploadsPage page, client_->ListMultipartUploads(prefix_, from));
      for (const auto& u : page.uploads) {
        RETURN_IF_ERROR(client_->AbortMultipartUpload(u.key, u.upload_id));
        ++aborted;
      }
      from = std::move(page.next);
    } while (from);
    if (aborted)
      Log(LogLevel::kInfo, "{}: aborted {} incomplete multipart upload(s)", Describe(), aborted);
    return Status::Ok();
  }

 private:
  Result<std::string> FullKey(const std::string& key) const {
    if (key.empty() || key[0] == '/' || key.find("..") != std::string::npos)
      return InvalidArgument("object key '" + key + "' is not a relative path");
    return prefix_ + key;
  }
  // At start, a server that cannot be reached or refuses the credentials is a one-line error of
  // the target, not something to retry.
  Status StartError(const Status& s) const {
    return Status(s.code(), "target " + Describe() + ": " + s.message());
  }

  std::shared_ptr<S3Client> client_;
  std::string prefix_;  // "" or "folder/"
  int64_t part_size_;
};

}  // namespace

Result<std::unique_ptr<ObjectStore>> OpenS3Store(const std::string& uri, int64_t part_size,
                                                 const EnvLookup& env) {
  constexpr std::string_view kScheme = "s3://";
  std::string rest = uri.substr(kScheme.size());
  size_t slash = rest.find('/');
  std::string bucket = rest.substr(0, slash);
  std::string prefix = slash == std::string::npos ? "" : rest.substr(slash + 1);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  if (bucket.empty() || bucket.find_first_of("?#@: ") != std::string::npos)
    return InvalidArgument("target " + uri + ": expected s3://bucket[/prefix]");
  if (prefix.find("..") != std::string::npos || prefix.find("//") != std::string::npos)
    return InvalidArgument("target " + uri + ": the prefix must not contain '..' or '//'");
  if (!prefix.empty()) prefix += "/";
  if (part_size == 0) part_size = kDefaultPartSize;
  if (part_size < kMinPartSize)
    return InvalidArgument("target " + uri + ": the multipart part size must be at least 5 MiB");
  ASSIGN_OR_RETURN(S3ClientConfig config, ResolveS3Config(bucket, env));
  auto client = std::make_shared<S3Client>(std::move(config));
  return std::unique_ptr<ObjectStore>(new S3Store(std::move(client), prefix, part_size));
}

}  // namespace cutover::lakehouse::s3
