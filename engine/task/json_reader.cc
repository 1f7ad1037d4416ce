#include "engine/task/json_reader.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

namespace cutover::task {

void JsonProblems::Error(const std::string& path, const std::string& what) {
  errors_.push_back(file_ + ": " + path + ": " + what);
}

void JsonProblems::Warn(const std::string& path, const std::string& what) {
  warnings_.push_back(file_ + ": " + path + ": " + what);
}

Status JsonProblems::ToStatus() const {
  if (errors_.empty()) return Status::Ok();
  std::string msg = errors_.front();
  for (size_t i = 1; i < errors_.size(); ++i) msg += "\n" + errors_[i];
  return InvalidArgument(std::move(msg));
}

std::optional<nlohmann::json> ParseJson(std::string_view text, JsonProblems& problems) {
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based; turn it into a line:column the user can find.
    size_t at = e.byte == 0 ? 0 : std::min<size_t>(e.byte - 1, text.size());
    size_t line = 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + at, '\n'));
    size_t nl = text.rfind('\n', at == 0 ? 0 : at - 1);
    size_t col = nl == std::string_view::npos ? at + 1 : at - nl;
    problems.Error("line " + std::to_string(line) + ", column " + std::to_string(col),
                   "not valid JSON (expected a JSON document as DMS writes it)");
    return std::nullopt;
  } catch (const nlohmann::json::exception& e) {
    // Not a syntax error but a value the parser cannot hold, e.g. a number out of range
    // ("1e999"; found by fuzz/dms_files_fuzz): name it without the library's error codes.
    std::string what = e.what();
    if (auto close = what.find("] "); close != std::string::npos) what = what.substr(close + 2);
    problems.Error("$", "not valid JSON: " + what);
    return std::nullopt;
  }
}

std::optional<nlohmann::json> ReadJsonFile(const std::string& path, JsonProblems& problems) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    problems.Error("$", "cannot read the file");
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseJson(ss.str(), problems);
}

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// "StopTaskCachedSourceNotApplied" -> {"stop", "task", "cached", "source", "not", "applied"}.
std::vector<std::string> Words(std::string_view key) {
  std::vector<std::string> words;
  std::string cur;
  for (char c : key) {
    bool upper = std::isupper(static_cast<unsigned char>(c)) != 0;
    if ((upper || c == '-' || c == '_') && !cur.empty()) {
      words.push_back(cur);
      cur.clear();
    }
    if (c != '-' && c != '_') cur += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (!cur.empty()) words.push_back(cur);
  return words;
}

}  // namespace

std::string ClosestKey(std::string_view key, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_score = SIZE_MAX;
  const std::string lk = Lower(key);
  const auto kw = Words(key);
  for (const auto& c : candidates) {
    size_t d = EditDistance(lk, Lower(c));
    // Words shared in order at both ends count as a near miss even when one word differs
    // entirely ("...CachedSourceNotApplied" for "...CachedChangesNotApplied").
    auto cw = Words(c);
    size_t prefix = 0, suffix = 0;
    while (prefix < kw.size() && prefix < cw.size() && kw[prefix] == cw[prefix]) ++prefix;
    while (suffix < kw.size() - prefix && suffix < cw.size() - prefix &&
           kw[kw.size() - 1 - suffix] == cw[cw.size() - 1 - suffix])
      ++suffix;
    bool one_word_off =
        kw.size() >= 3 && cw.size() == kw.size() && prefix + suffix + 1 >= kw.size();
    size_t limit = std::max<size_t>(2, lk.size() / 5);
    if (d <= limit || one_word_off) {
      size_t score = one_word_off ? std::min(d, limit) : d;
      if (score < best_score) {
        best_score = score;
        best = c;
      }
    }
  }
  return best;
}

const nlohmann::json& JsonObject::Empty() {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  return kEmpty;
}

JsonObject::JsonObject(const nlohmann::json& value, std::string path, JsonProblems& problems)
    : value_(value.is_object() ? value : Empty()), path_(std::move(path)), problems_(problems) {
  if (!value.is_object()) problems_.Error(path_, "expected a JSON object");
}

const nlohmann::json* JsonObject::Get(std::string_view key) const {
  auto it = value_.find(std::string(key));
  return it == value_.end() ? nullptr : &*it;
}

bool JsonObject::Has(std::string_view key) const {
  return Get(key) != nullptr;
}

void JsonObject::CheckKeys(const std::vector<std::string>& known,
                           const std::map<std::string, std::string>& elsewhere) {
  for (auto it = value_.begin(); it != value_.end(); ++it) {
    const std::string& key = it.key();
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    auto moved = elsewhere.find(key);
    if (moved != elsewhere.end()) {
      problems_.Warn(PathOf(key), "DMS documents " + key + " under " + moved->second +
                                      ": DMS ignores it here and so does cutover (move it to " +
                                      moved->second + " for it to take effect)");
      continue;
    }
    std::string hint = ClosestKey(key, known);
    std::string accepted;
    for (const auto& k : known) accepted += (accepted.empty() ? "" : ", ") + k;
    problems_.Error(PathOf(key),
                    "unknown key" +
                        (hint.empty() ? std::string() : " (did you mean " + hint + "?)") +
                        "; accepted here: " + accepted);
  }
}

std::optional<std::string> JsonObject::String(std::string_view key) {
  const nlohmann::json* v = Get(key);
  if (!v || v->is_null()) return std::nullopt;
  if (v->is_string()) return v->get<std::string>();
  if (v->is_number_integer()) return std::to_string(v->get<int64_t>());
  problems_.Error(PathOf(key), "expected a string");
  return std::nullopt;
}

std::optional<bool> JsonObject::Bool(std::string_view key) {
  const nlohmann::json* v = Get(key);
  if (!v || v->is_null()) return std::nullopt;
  if (v->is_boolean()) return v->get<bool>();
  if (v->is_string()) {
    std::string s = Lower(v->get<std::string>());
    if (s == "true") return true;
    if (s == "false") return false;
  }
  problems_.Error(PathOf(key), "expected true or false");
  return std::nullopt;
}

std::optional<int64_t> JsonObject::Int(std::string_view key, int64_t min, int64_t max) {
  const nlohmann::json* v = Get(key);
  if (!v || v->is_null()) return std::nullopt;
  int64_t n = 0;
  bool ok = false;
  if (v->is_number_integer()) {
    n = v->get<int64_t>();
    ok = true;
  } else if (v->is_number_unsigned()) {
    ok = v->get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX);
    n = static_cast<int64_t>(v->get<uint64_t>());
  } else if (v->is_string()) {
    const std::string s = v->get<std::string>();
    auto r = std::from_chars(s.data(), s.data() + s.size(), n);
    ok = r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty();
  }
  if (!ok || n < min || n > max) {
    problems_.Error(PathOf(key), "expected an integer from " + std::to_string(min) + " to " +
                                     std::to_string(max));
    return std::nullopt;
  }
  return n;
}

std::optional<std::string> JsonObject::Enum(std::string_view key,
                                            const std::vector<std::string>& allowed) {
  auto s = String(key);
  if (!s) return std::nullopt;
  if (std::find(allowed.begin(), allowed.end(), *s) != allowed.end()) return s;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  std::string hint = ClosestKey(*s, allowed);
  problems_.Error(PathOf(key),
                  "'" + *s + "' is not one of " + list +
                      (hint.empty() ? std::string() : " (did you mean " + hint + "?)"));
  return std::nullopt;
}

const nlohmann::json* JsonObject::Object(std::string_view key) {
  const nlohmann::json* v = Get(key);
  if (!v || v->is_null()) return nullptr;
  if (!v->is_object()) {
    problems_.Error(PathOf(key), "expected a JSON object");
    return nullptr;
  }
  return v;
}

const nlohmann::json* JsonObject::Array(std::string_view key) {
  const nlohmann::json* v = Get(key);
  if (!v || v->is_null()) return nullptr;
  if (!v->is_array()) {
    problems_.Error(PathOf(key), "expected a JSON array");
    return nullptr;
  }
  return v;
}

}  // namespace cutover::task
