// JsonReader: reads a user's JSON file key by key and collects every problem with its place.
//
// Design: DMS task files are written by hand and copied between how-to articles, mistakes
// included (a key under the wrong section, a misspelled key, a number written as a string). A
// user must get one precise line per problem -- file, JSON path, what was expected, and what DMS
// calls it -- all of them in one run, never a crash and never silence. So readers do not stop at
// the first problem: each `Object` records problems into the shared `JsonProblems`, returns
// what it could read, and the caller turns the whole list into one error at the end.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/core/status.h"

namespace cutover::task {

// Every problem found in one file, and the warnings (keys known but without effect).
class JsonProblems {
 public:
  explicit JsonProblems(std::string file) : file_(std::move(file)) {}
  const std::string& file() const { return file_; }
  void Error(const std::string& path, const std::string& what);
  void Warn(const std::string& path, const std::string& what);
  bool ok() const { return errors_.empty(); }
  const std::vector<std::string>& errors() const { return errors_; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  // OK, or kInvalidArgument listing every error on its own line ("FILE: PATH: WHAT").
  Status ToStatus() const;

 private:
  std::string file_;
  std::vector<std::string> errors_;
  std::vector<std::string> warnings_;
};

// Parses `text` as JSON; a syntax error is recorded with its byte offset. Null on error.
std::optional<nlohmann::json> ParseJson(std::string_view text, JsonProblems& problems);

// Reads `path` and parses it; an unreadable file is an error naming it. Null on error.
std::optional<nlohmann::json> ReadJsonFile(const std::string& path, JsonProblems& problems);

// The closest of `candidates` to `key` when it is close enough to be a likely misspelling
// (case-insensitive edit distance, or the same words in a different order); "" otherwise.
std::string ClosestKey(std::string_view key, const std::vector<std::string>& candidates);

// One JSON object at `path` ("$.FullLoadSettings").
class JsonObject {
 public:
  // `value` must outlive the reader. A value that is not an object is recorded as an error and
  // reads as empty.
  JsonObject(const nlohmann::json& value, std::string path, JsonProblems& problems);

  const std::string& path() const { return path_; }
  std::string PathOf(std::string_view key) const { return path_ + "." + std::string(key); }
  bool Has(std::string_view key) const;

  // Records an error for every key not in `known` (with the closest known key when it looks
  // like a misspelling). `elsewhere` maps keys DMS documents in another place to that place
  // ("TargetMetadata"): such a key is a warning naming the place, and is ignored, as DMS does.
  void CheckKeys(const std::vector<std::string>& known,
                 const std::map<std::string, std::string>& elsewhere = {});

  // Typed reads: absent -> nullopt; wrong type -> error recorded, nullopt. DMS writes numbers
  // and booleans as strings too ("rule-id": "1", "true"): both are accepted.
  std::optional<std::string> String(std::string_view key);
  std::optional<bool> Bool(std::string_view key);
  std::optional<int64_t> Int(std::string_view key, int64_t min, int64_t max);
  // A string that must be one of `allowed` (compared case-sensitively, as DMS does).
  std::optional<std::string> Enum(std::string_view key, const std::vector<std::string>& allowed);
  // A nested object / array; nullptr when absent (or recorded as an error when of another type).
  const nlohmann::json* Object(std::string_view key);
  const nlohmann::json* Array(std::string_view key);

  JsonProblems& problems() { return problems_; }

 private:
  const nlohmann::json* Get(std::string_view key) const;
  static const nlohmann::json& Empty();
  const nlohmann::json& value_;
  std::string path_;
  JsonProblems& problems_;
};

}  // namespace cutover::task
