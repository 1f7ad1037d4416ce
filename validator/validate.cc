#include "validator/validate.h"

#include "validator/filtered_scanner.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "engine/core/canonical.h"
#include "engine/core/log.h"
#include "engine/core/range_scanner.h"
#include "engine/core/uri.h"
#include "engine/registry/registry.h"
#include "validator/table_pairing.h"

namespace cutover::validator {

const char* DiffKindName(DiffKind kind) {
  switch (kind) {
    case DiffKind::kMissingInTarget:
      return "missing-in-target";
    case DiffKind::kExtraInTarget:
      return "extra-in-target";
    case DiffKind::kDifferent:
      return "different";
  }
  return "?";
}

namespace {

using Clock = std::chrono::steady_clock;

struct Chunk {
  size_t table;
  KeyRange range;
};

// A worker's pair of connections.
struct Worker {
  std::unique_ptr<RangeScanner> source, target;
};

// A listed difference and the key Values needed to re-read it: one per key column, in key
// order (KeyRange's bounds), taken from the decoded row.
struct Listed {
  std::vector<Value> key;
};

Listed ListedKey(const ScanTable& t, const std::vector<Value>& row) {
  Listed l;
  for (size_t k : t.key) l.key.push_back(row[k]);
  return l;
}

struct TableState {
  TableResult result;
  std::vector<Listed> listed;  // parallel to result.differences
  Clock::time_point first_start = Clock::time_point::max(), last_end = Clock::time_point::min();
};

// The rows of one range on both sides that matter for details: decoded values, if present.
struct RowPair {
  DiffKind kind;
  std::vector<Value> source, target;
  bool has_source = false, has_target = false;
};

std::vector<KeyRange> Cut(const KeyRange& range, std::vector<std::vector<Value>> keys) {
  std::vector<KeyRange> out;
  std::optional<std::vector<Value>> lo = range.lo;
  for (auto& k : keys) {
    out.push_back(KeyRange{lo, k, false});
    lo = std::move(k);
  }
  out.push_back(KeyRange{lo, range.hi, range.hi_inclusive});
  return out;
}

class Validator {
 public:
  Validator(const ValidateOptions& opt, std::vector<TablePair> pairs, const std::atomic<bool>& stop)
      : opt_(opt), pairs_(std::move(pairs)), stop_(stop), states_(pairs_.size()) {
    leaf_rows_ = opt_.leaf_rows > 0 ? opt_.leaf_rows : std::min<int64_t>(opt_.chunk_rows, 100000);
    for (size_t i = 0; i < pairs_.size(); ++i) {
      TableResult& r = states_[i].result;
      r.source_name = pairs_[i].source.name;
      r.target_name = pairs_[i].target.name;
      r.schema_differences = pairs_[i].schema_differences;
      r.keyless_reason = pairs_[i].keyless_reason;
    }
  }

  Result<ValidationResult> Run() {
    auto start = Clock::now();
    ASSIGN_OR_RETURN(Worker main, OpenWorker());
    std::vector<Chunk> chunks;
    int64_t estimate = 0;
    for (size_t i = 0; i < pairs_.size(); ++i) {
      const TablePair& p = pairs_[i];
      if (p.source_schema->estimated_rows > 0) estimate += p.source_schema->estimated_rows;
      std::vector<std::vector<Value>> keys;
      if (!p.source.key.empty() && !p.one_range) {
        ASSIGN_OR_RETURN(keys,
                         main.source->SplitKeys(p.source, KeyRange::All(), opt_.chunk_rows, -1));
      }
      for (auto& r : Cut(KeyRange::All(), std::move(keys))) chunks.push_back({i, std::move(r)});
    }
    Log(LogLevel::kInfo, "validating {} table(s) in {} key range(s) with {} thread(s)",
        pairs_.size(), chunks.size(), opt_.threads);

    progress_ = std::make_unique<Progress>("validate", estimate > 0 ? estimate : -1, opt_.progress);
    std::atomic<size_t> next{0};
    std::vector<std::thread> threads;
    int n = std::max(1, std::min<int>(opt_.threads, static_cast<int>(chunks.size())));
    for (int t = 0; t < n; ++t) {
      threads.emplace_back([&, t] {
        Worker w;
        if (t == 0) {
          w = std::move(main);
        } else {
          auto opened = OpenWorker();
          if (!opened.ok()) return SetError(opened.status());
          w = std::move(opened).value();
        }
        for (size_t c; (c = next.fetch_add(1)) < chunks.size();) {
          if (Failed()) return;
          if (stop_) return SetError(Aborted("validation interrupted"));
          Status s = DoChunk(w, chunks[c]);
          if (!s.ok()) return SetError(s);
        }
      });
    }
    for (auto& t : threads) t.join();
    progress_->Finish();
    if (!error_.ok()) return error_;
    if (opt_.recheck_seconds > 0) RETURN_IF_ERROR(Recheck());

    ValidationResult out;
    out.source = RedactUri(opt_.source_uri);
    out.target = RedactUri(opt_.target_uri);
    for (auto& st : states_) {
      if (st.last_end > st.first_start)
        st.result.seconds = std::chrono::duration<double>(st.last_end - st.first_start).count();
      out.source_rows += st.result.source_rows;
      out.target_rows += st.result.target_rows;
      out.tables.push_back(std::move(st.result));
    }
    out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return out;
  }

 private:
  Result<Worker> OpenWorker() {
    Worker w;
    ASSIGN_OR_RETURN(auto source, OpenRangeScanner(opt_.source_uri, "source"));
    ASSIGN_OR_RETURN(w.target, OpenRangeScanner(opt_.target_uri, "target"));
    w.source = std::make_unique<FilteredScanner>(std::move(source));  // the task's filters
    return w;
  }

  void SetError(const Status& s) {
    std::lock_guard<std::mutex> l(mu_);
    if (error_.ok()) error_ = s;
  }
  bool Failed() {
    std::lock_guard<std::mutex> l(mu_);
    return !error_.ok();
  }

  // Reads `range` on both sides at once (the target on a second thread): counts and hash sums.
  Status SummarizeBoth(Worker& w, const TablePair& p, const KeyRange& range, RowHashSum& s,
                       RowHashSum& t) {
    Status ts;
    std::thread other([&] {
      ts = w.target->Scan(p.target, range, false, [&](const ScannedRow& row) {
        t.Add(row.hash);
        return Status::Ok();
      });
    });
    Status ss = w.source->Scan(p.source, range, false, [&](const ScannedRow& row) {
      s.Add(row.hash);
      return Status::Ok();
    });
    other.join();
    RETURN_IF_ERROR(ss.WithContext("source"));
    return ts.WithContext("target");
  }

  // Server-side summaries of `range` on both sides at once; false when either side has none.
  Result<bool> ServerSummaries(Worker& w, const TablePair& p, const KeyRange& range,
                               RangeScanner::ServerSummary& s, RangeScanner::ServerSummary& t) {
    Result<std::optional<RangeScanner::ServerSummary>> tr =
        std::optional<RangeScanner::ServerSummary>();
    std::thread other([&] { tr = w.target->SummarizeOnServer(p.target, range); });
    auto sr = w.source->SummarizeOnServer(p.source, range);
    other.join();
    if (!sr.ok()) return sr.status().WithContext("source");
    if (!tr.ok()) return tr.status().WithContext("target");
    if (!*sr || !*tr) return false;
    s = std::move(**sr);
    t = std::move(**tr);
    return true;
  }

  Status DoChunk(Worker& w, const Chunk& c) {
    const TablePair& p = pairs_[c.table];
    auto begin = Clock::now();
    RowHashSum s, t;
    bool differ = false, server = false;
    if (UseServerHashes(c.table)) {
      RangeScanner::ServerSummary a, b;
      ASSIGN_OR_RETURN(server, ServerSummaries(w, p, c.range, a, b));
      if (server) {
        s.count = a.count;
        t.count = b.count;
        differ = a.count != b.count || a.digest != b.digest;
      }
    }
    if (!server) {
      RETURN_IF_ERROR(SummarizeBoth(w, p, c.range, s, t));
      differ = s != t;
    }
    progress_->Add(s.count);
    {
      std::lock_guard<std::mutex> l(mu_);
      TableState& st = states_[c.table];
      st.first_start = std::min(st.first_start, begin);
      st.result.source_rows += s.count;
      st.result.target_rows += t.count;
      ++st.result.chunks;
      if (server) ++st.result.chunks_hashed_on_server;
      if (differ) ++st.result.chunks_differing;
    }
    if (differ) RETURN_IF_ERROR(Resolve(w, c.table, c.range, s, t, 0));
    std::lock_guard<std::mutex> l(mu_);
    TableState& st = states_[c.table];
    st.last_end = std::max(st.last_end, Clock::now());
    return Status::Ok();
  }

  // Server-side hashes are comparable only between two servers of the same engine reading the
  // same column types in the same order (no per-column rules, no type difference).
  bool UseServerHashes(size_t ti) const {
    const TablePair& p = pairs_[ti];
    if (!opt_.server_hash || p.source_schema->engine != p.target_schema->engine) return false;
    for (size_t i = 0; i < p.source.columns.size(); ++i)
      if (p.source.columns[i].type_name != p.target.columns[i].type_name) return false;
    return true;
  }

  // Narrows a differing range down to rows (see validate.h, step 4).
  Status Resolve(Worker& w, size_t ti, const KeyRange& range, const RowHashSum& s,
                 const RowHashSum& t, int depth) {
    const TablePair& p = pairs_[ti];
    if (p.source.key.empty()) {
      std::lock_guard<std::mutex> l(mu_);
      states_[ti].result.multiset_differs = true;
      return Status::Ok();
    }
    int64_t big = std::max(s.count, t.count);
    if (big > leaf_rows_ && depth < 64 && !p.one_range) {
      bool target_side = t.count > s.count;
      RangeScanner& sc = target_side ? *w.target : *w.source;
      ASSIGN_OR_RETURN(auto keys,
                       sc.SplitKeys(target_side ? p.target : p.source, range, (big + 1) / 2, big));
      if (!keys.empty()) {
        for (const auto& sub : Cut(range, std::move(keys))) {
          RowHashSum a, b;
          RETURN_IF_ERROR(SummarizeBoth(w, p, sub, a, b));
          if (a != b) RETURN_IF_ERROR(Resolve(w, ti, sub, a, b, depth + 1));
        }
        return Status::Ok();
      }
    }
    return MatchRows(w, ti, range);
  }

  // Row level: matches the range's rows by key in memory (at most leaf_rows per side, except
  // for ranges that cannot be cut further).
  Status MatchRows(Worker& w, size_t ti, const KeyRange& range) {
    const TablePair& p = pairs_[ti];
    std::unordered_map<std::string, RowHash> rows;
    RETURN_IF_ERROR(w.source
                        ->Scan(p.source, range, false,
                               [&](const ScannedRow& r) {
                                 rows.emplace(std::string(r.key), r.hash);
                                 return Status::Ok();
                               })
                        .WithContext("source"));
    std::map<std::string, DiffKind> diffs;
    RETURN_IF_ERROR(w.target
                        ->Scan(p.target, range, false,
                               [&](const ScannedRow& r) {
                                 auto it = rows.find(std::string(r.key));
                                 if (it == rows.end()) {
                                   diffs.emplace(std::string(r.key), DiffKind::kExtraInTarget);
                                   return Status::Ok();
                                 }
                                 if (it->second != r.hash)
                                   diffs.emplace(std::string(r.key), DiffKind::kDifferent);
                                 rows.erase(it);
                                 return Status::Ok();
                               })
                        .WithContext("target"));
    for (auto& [key, hash] : rows) diffs.emplace(key, DiffKind::kMissingInTarget);
    rows.clear();
    if (diffs.empty()) return Status::Ok();

    size_t room;
    {
      std::lock_guard<std::mutex> l(mu_);
      TableResult& r = states_[ti].result;
      r.differing_rows += static_cast<int64_t>(diffs.size());
      room = opt_.max_listed > reserved_[ti] ? opt_.max_listed - reserved_[ti] : 0;
      room = std::min(room, diffs.size());
      reserved_[ti] += room;
    }
    if (room == 0) return Status::Ok();
    std::map<std::string, RowPair> wanted;
    for (auto& [key, kind] : diffs) {
      if (wanted.size() == room) break;
      wanted[key].kind = kind;
    }
    RETURN_IF_ERROR(ReadValues(w, p, range, wanted));
    std::lock_guard<std::mutex> l(mu_);
    for (auto& [key, rp] : wanted) {
      states_[ti].result.differences.push_back(Describe(w, p, rp));
      states_[ti].listed.push_back(rp.has_source ? ListedKey(p.source, rp.source)
                                                 : ListedKey(p.target, rp.target));
    }
    return Status::Ok();
  }

  // Fills in the decoded rows of `wanted` (by key bytes) from both sides.
  Status ReadValues(Worker& w, const TablePair& p, const KeyRange& range,
                    std::map<std::string, RowPair>& wanted) {
    RETURN_IF_ERROR(w.source
                        ->Scan(p.source, range, true,
                               [&](const ScannedRow& r) {
                                 auto it = wanted.find(std::string(r.key));
                                 if (it != wanted.end()) {
                                   it->second.source = *r.values;
                                   it->second.has_source = true;
                                 }
                                 return Status::Ok();
                               })
                        .WithContext("source"));
    return w.target
        ->Scan(p.target, range, true,
               [&](const ScannedRow& r) {
                 auto it = wanted.find(std::string(r.key));
                 if (it != wanted.end()) {
                   it->second.target = *r.values;
                   it->second.has_target = true;
                 }
                 return Status::Ok();
               })
        .WithContext("target");
  }

  RowDiff Describe(Worker& w, const TablePair& p, const RowPair& rp) {
    RowDiff d;
    d.kind = rp.kind;
    const std::vector<Value>& kv = rp.has_source ? rp.source : rp.target;
    RangeScanner& kd = rp.has_source ? *w.source : *w.target;
    for (size_t k : p.source.key)
      d.key.emplace_back(p.source.columns[k].name, k < kv.size() ? kd.Display(kv[k]) : "?");
    if (rp.has_source && rp.has_target) {
      std::string a, b;
      for (size_t i = 0; i < p.source.columns.size(); ++i) {
        a.clear();
        b.clear();
        AppendCanonical(rp.source[i], p.source.rules[i], a);
        AppendCanonical(rp.target[i], p.target.rules[i], b);
        if (a != b)
          d.columns.push_back({p.source.columns[i].name, w.source->Display(rp.source[i]),
                               w.target->Display(rp.target[i])});
      }
    }
    return d;
  }

  // Re-reads listed differences by key after a delay (see validate.h, step 5).
  Status Recheck() {
    ASSIGN_OR_RETURN(Worker w, OpenWorker());
    for (int round = 1; round <= opt_.recheck_rounds; ++round) {
      size_t pending = 0;
      for (size_t ti = 0; ti < states_.size(); ++ti)
        if (!pairs_[ti].one_range) pending += states_[ti].listed.size();
      if (pending == 0) return Status::Ok();
      Log(LogLevel::kInfo, "recheck {}/{}: {} differing row(s) re-read in {} s", round,
          opt_.recheck_rounds, pending, opt_.recheck_seconds);
      auto until = Clock::now() + std::chrono::seconds(opt_.recheck_seconds);
      while (Clock::now() < until) {
        if (stop_) return Aborted("validation interrupted");
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      for (size_t ti = 0; ti < states_.size(); ++ti) {
        TableState& st = states_[ti];
        const TablePair& p = pairs_[ti];
        if (p.one_range) continue;  // its key values differ in kind on the two sides
        for (size_t i = 0; i < st.listed.size();) {
          KeyRange exact = KeyRange::Exactly(st.listed[i].key);
          RowHashSum a, b;
          RETURN_IF_ERROR(SummarizeBoth(w, p, exact, a, b));
          if (a == b) {
            st.listed.erase(st.listed.begin() + static_cast<long>(i));
            st.result.differences.erase(st.result.differences.begin() + static_cast<long>(i));
            --st.result.differing_rows;
            ++st.result.in_flight;
            continue;
          }
          std::map<std::string, RowPair> one;
          RowPair rp;
          rp.kind = a.count == 0   ? DiffKind::kExtraInTarget
                    : b.count == 0 ? DiffKind::kMissingInTarget
                                   : DiffKind::kDifferent;
          std::string key_bytes;  // the only row in the range: match whatever key it has
          RETURN_IF_ERROR(w.source->Scan(p.source, exact, true, [&](const ScannedRow& r) {
            rp.source = *r.values;
            rp.has_source = true;
            return Status::Ok();
          }));
          RETURN_IF_ERROR(w.target->Scan(p.target, exact, true, [&](const ScannedRow& r) {
            rp.target = *r.values;
            rp.has_target = true;
            return Status::Ok();
          }));
          st.result.differences[i] = Describe(w, p, rp);
          ++i;
        }
      }
    }
    return Status::Ok();
  }

  const ValidateOptions& opt_;
  std::vector<TablePair> pairs_;
  const std::atomic<bool>& stop_;
  std::vector<TableState> states_;
  std::map<size_t, size_t> reserved_;  // listed rows claimed per table (guarded by mu_)
  int64_t leaf_rows_;
  std::unique_ptr<Progress> progress_;
  std::mutex mu_;
  Status error_;
};

}  // namespace

Result<ValidationResult> Validate(const ValidateOptions& options, const std::atomic<bool>& stop) {
  ASSIGN_OR_RETURN(auto pairs,
                   PairTables(PairingRequest{options.source_uri, options.target_uri, options.tables,
                                             options.task, options.mapping}));
  Validator v(options, std::move(pairs), stop);
  return v.Run();
}

}  // namespace cutover::validator
