#include "engine/task/task_settings.h"

#include <algorithm>
#include <map>

#include "engine/task/json_reader.h"

namespace cutover::task {

namespace {

// DMS's task-settings sections and their keys, as DMS documents them.
const std::vector<std::pair<std::string, std::vector<std::string>>>& Sections() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> kSections = {
      {"TargetMetadata",
       {"TargetSchema", "SupportLobs", "FullLobMode", "LobChunkSize", "LimitedSizeLobMode",
        "LobMaxSize", "InlineLobMaxSize", "LoadMaxFileSize", "ParallelLoadThreads",
        "ParallelLoadBufferSize", "ParallelLoadQueuesPerThread", "ParallelApplyThreads",
        "ParallelApplyBufferSize", "ParallelApplyQueuesPerThread", "BatchApplyEnabled",
        "TaskRecoveryTableEnabled"}},
      {"FullLoadSettings",
       {"TargetTablePrepMode", "CreatePkAfterFullLoad", "StopTaskCachedChangesApplied",
        "StopTaskCachedChangesNotApplied", "MaxFullLoadSubTasks", "TransactionConsistencyTimeout",
        "CommitRate"}},
      {"ChangeProcessingTuning",
       {"BatchApplyPreserveTransaction", "BatchApplyTimeoutMin", "BatchApplyTimeoutMax",
        "BatchApplyMemoryLimit", "BatchSplitSize", "MinTransactionSize", "CommitTimeout",
        "MemoryLimitTotal", "MemoryKeepTime", "StatementCacheSize", "RecoveryTimeout"}},
      {"ChangeProcessingDdlHandlingPolicy",
       {"HandleSourceTableDropped", "HandleSourceTableTruncated", "HandleSourceTableAltered"}},
      {"ErrorBehavior",
       {"DataErrorPolicy",
        "DataTruncationErrorPolicy",
        "DataErrorEscalationPolicy",
        "DataErrorEscalationCount",
        "EventErrorPolicy",
        "TableErrorPolicy",
        "TableErrorEscalationPolicy",
        "TableErrorEscalationCount",
        "RecoverableErrorCount",
        "RecoverableErrorInterval",
        "RecoverableErrorThrottling",
        "RecoverableErrorThrottlingMax",
        "RecoverableErrorStopRetryAfterThrottlingMax",
        "ApplyErrorDeletePolicy",
        "ApplyErrorInsertPolicy",
        "ApplyErrorUpdatePolicy",
        "ApplyErrorEscalationPolicy",
        "ApplyErrorEscalationCount",
        "ApplyErrorFailOnTruncationDdl",
        "FailOnNoTablesCaptured",
        "FailOnTransactionConsistencyBreached",
        "FullLoadIgnoreConflicts"}},
      {"ValidationSettings",
       {"EnableValidation", "ValidationMode", "ThreadCount", "PartitionSize", "FailureMaxCount",
        "RecordFailureDelayInMinutes", "RecordSuspendDelayInMinutes", "MaxKeyColumnSize",
        "TableFailureMaxCount", "ValidationOnly", "HandleCollationDiff",
        "RecordFailureDelayLimitInMinutes", "SkipLobColumns", "ValidationPartialLobSize",
        "ValidationQueryCdcDelaySeconds"}},
      {"Logging",
       {"EnableLogging", "EnableLogContext", "LogComponents", "CloudWatchLogGroup",
        "CloudWatchLogStream"}},
  };
  return kSections;
}

// Sections DMS documents that configure the cloud service itself: recognised, no effect.
const std::vector<std::string>& CloudSections() {
  static const std::vector<std::string> kCloud = {"ControlTablesSettings",
                                                  "StreamBufferSettings",
                                                  "LoopbackPreventionSettings",
                                                  "CharacterSetSettings",
                                                  "BeforeImageSettings",
                                                  "FailTaskWhenCleanTaskResourceFailed",
                                                  "TTSettings",
                                                  "PostProcessingRules",
                                                  "ChangeProcessingSettings"};
  return kCloud;
}

const std::vector<std::string>& SectionKeys(const std::string& section) {
  for (const auto& [name, keys] : Sections())
    if (name == section) return keys;
  static const std::vector<std::string> kNone;
  return kNone;
}

// key -> the section DMS documents it in, for keys written under another section.
std::map<std::string, std::string> ElsewhereFor(const std::string& section) {
  std::map<std::string, std::string> out;
  for (const auto& [name, keys] : Sections()) {
    if (name == section) continue;
    for (const auto& k : keys) out.emplace(k, name);
  }
  return out;
}

class Reader {
 public:
  explicit Reader(JsonProblems& problems) : problems_(problems) {}

  TaskSettings Read(const nlohmann::json& doc) {
    JsonObject root(doc, "$", problems_);
    std::vector<std::string> known;
    for (const auto& [name, keys] : Sections()) known.push_back(name);
    for (const auto& c : CloudSections()) known.push_back(c);
    // A section key written at the top level ("TargetTablePrepMode": ...) names its section.
    std::map<std::string, std::string> elsewhere;
    for (const auto& [name, keys] : Sections())
      for (const auto& k : keys) elsewhere.emplace(k, name);
    root.CheckKeys(known, elsewhere);
    for (const auto& c : CloudSections())
      if (root.Has(c)) ignored_.push_back(c);

    if (auto* v = root.Object("TargetMetadata")) TargetMetadata(Section(*v, "TargetMetadata"));
    if (auto* v = root.Object("FullLoadSettings")) FullLoad(Section(*v, "FullLoadSettings"));
    if (auto* v = root.Object("ChangeProcessingTuning"))
      Tuning(Section(*v, "ChangeProcessingTuning"));
    if (auto* v = root.Object("ChangeProcessingDdlHandlingPolicy"))
      Ddl(Section(*v, "ChangeProcessingDdlHandlingPolicy"));
    if (auto* v = root.Object("ErrorBehavior")) Errors(Section(*v, "ErrorBehavior"));
    if (auto* v = root.Object("ValidationSettings")) Validation(Section(*v, "ValidationSettings"));
    if (auto* v = root.Object("Logging")) Logging(Section(*v, "Logging"));

    if (!ignored_.empty()) {
      std::string list;
      for (const auto& k : ignored_) list += (list.empty() ? "" : ", ") + k;
      out_.notes.push_back(problems_.file() + ": DMS settings without effect in cutover: " + list);
    }
    return std::move(out_);
  }

 private:
  JsonObject Section(const nlohmann::json& v, const std::string& name) {
    JsonObject o(v, "$." + name, problems_);
    o.CheckKeys(SectionKeys(name), ElsewhereFor(name));
    return o;
  }

  // Records that `key` of `o` was read but has no effect.
  void Ignore(JsonObject& o, const std::vector<std::string>& keys) {
    for (const auto& k : keys)
      if (o.Has(k)) ignored_.push_back(o.path().substr(2) + "." + k);
  }

  void TargetMetadata(JsonObject o) {
    out_.target_schema = o.String("TargetSchema");
    out_.batch_apply = o.Bool("BatchApplyEnabled");
    out_.support_lobs = o.Bool("SupportLobs").value_or(true);
    out_.full_lob_mode = o.Bool("FullLobMode").value_or(false);
    out_.limited_lob_mode = o.Bool("LimitedSizeLobMode").value_or(!out_.full_lob_mode);
    out_.lob_max_kb = o.Int("LobMaxSize", 0, INT32_MAX).value_or(32);
    for (const char* k :
         {"LobChunkSize", "InlineLobMaxSize", "LoadMaxFileSize", "ParallelLoadThreads",
          "ParallelLoadBufferSize", "ParallelLoadQueuesPerThread", "ParallelApplyThreads",
          "ParallelApplyBufferSize", "ParallelApplyQueuesPerThread"})
      (void)o.Int(k, 0, INT32_MAX);
    if (out_.support_lobs && !out_.full_lob_mode && out_.limited_lob_mode &&
        (o.Has("LimitedSizeLobMode") || o.Has("LobMaxSize")))
      out_.notes.push_back(problems_.file() + ": TargetMetadata limited LOB mode (LobMaxSize " +
                           std::to_string(out_.lob_max_kb) +
                           " KB): cutover never truncates a LOB; the values DMS would truncate "
                           "are reported (\"LOB report\" lines)");
    if (!out_.support_lobs)
      out_.notes.push_back(problems_.file() +
                           ": TargetMetadata.SupportLobs false: DMS would leave LOB columns out; "
                           "cutover copies them whole");
    Ignore(o,
           {"LobChunkSize", "InlineLobMaxSize", "LoadMaxFileSize", "ParallelLoadThreads",
            "ParallelLoadBufferSize", "ParallelLoadQueuesPerThread", "ParallelApplyThreads",
            "ParallelApplyBufferSize", "ParallelApplyQueuesPerThread", "TaskRecoveryTableEnabled"});
  }

  void FullLoad(JsonObject o) {
    auto prep =
        o.Enum("TargetTablePrepMode", {"DROP_AND_CREATE", "TRUNCATE_BEFORE_LOAD", "DO_NOTHING"});
    if (prep) {
      out_.prep = *prep == "TRUNCATE_BEFORE_LOAD" ? TablePrep::kTruncate
                  : *prep == "DO_NOTHING"         ? TablePrep::kDoNothing
                                                  : TablePrep::kDropAndCreate;
    }
    if (auto n = o.Int("MaxFullLoadSubTasks", 1, 64)) out_.max_subtasks = static_cast<int>(*n);
    (void)o.Bool("CreatePkAfterFullLoad");
    for (const char* k : {"StopTaskCachedChangesApplied", "StopTaskCachedChangesNotApplied"}) {
      if (o.Bool(k).value_or(false)) {
        problems_.Error(o.PathOf(k), std::string(k) +
                                         " = true (stop after the full load) is not supported "
                                         "by this version of cutover; use --type full-load");
      }
    }
    (void)o.Int("TransactionConsistencyTimeout", 0, INT32_MAX);
    (void)o.Int("CommitRate", 1, INT32_MAX);
    Ignore(o, {"CreatePkAfterFullLoad", "TransactionConsistencyTimeout", "CommitRate"});
  }

  void Tuning(JsonObject o) {
    auto min_txn = o.Int("MinTransactionSize", 1, 10000000);
    auto commit_timeout = o.Int("CommitTimeout", 0, 600);
    auto split = o.Int("BatchSplitSize", 0, 10000000);
    auto tmax = o.Int("BatchApplyTimeoutMax", 0, 600);
    (void)o.Int("BatchApplyTimeoutMin", 0, 600);
    auto mem = o.Int("MemoryLimitTotal", 1, 1 << 20);
    auto batch_mem = o.Int("BatchApplyMemoryLimit", 1, 1 << 20);
    (void)o.Bool("BatchApplyPreserveTransaction");
    for (const char* k : {"MemoryKeepTime", "StatementCacheSize", "RecoveryTimeout"})
      (void)o.Int(k, INT32_MIN, INT32_MAX);
    // Transactional apply groups by MinTransactionSize / CommitTimeout, batch apply by
    // BatchSplitSize / BatchApplyTimeoutMax: cutover has one grouping, bounded by both.
    if (split && *split > 0) out_.group_max_changes = *split;
    if (min_txn) out_.group_max_changes = *min_txn;
    if (tmax) out_.group_max_ms = *tmax * 1000;
    if (commit_timeout) out_.group_max_ms = *commit_timeout * 1000;
    if (mem) out_.memory_limit_mb = *mem;
    if (batch_mem && !mem) out_.memory_limit_mb = *batch_mem;
    Ignore(o, {"BatchApplyTimeoutMin", "BatchApplyPreserveTransaction", "MemoryKeepTime",
               "StatementCacheSize", "RecoveryTimeout"});
  }

  void Ddl(JsonObject o) {
    auto altered = o.Bool("HandleSourceTableAltered");
    (void)o.Bool("HandleSourceTableDropped");
    auto truncated = o.Bool("HandleSourceTableTruncated");
    if (altered) out_.follow_schema_changes = *altered;
    if (truncated) out_.apply_truncates = *truncated;
  }

  // DMS's policy values per key, as DMS documents them.
  std::optional<ErrorPolicy> Policy(JsonObject& o, const char* key,
                                    const std::vector<std::string>& allowed) {
    auto p = o.Enum(key, allowed);
    if (!p) return std::nullopt;
    static const std::vector<std::pair<std::string, ErrorPolicy>> kNames = {
        {"STOP_TASK", ErrorPolicy::kStopTask},
        {"LOG_ERROR", ErrorPolicy::kLogError},
        {"IGNORE_RECORD", ErrorPolicy::kIgnoreRecord},
        {"SUSPEND_TABLE", ErrorPolicy::kSuspendTable},
        {"INSERT_RECORD", ErrorPolicy::kInsertRecord},
        {"UPDATE_RECORD", ErrorPolicy::kUpdateRecord}};
    for (const auto& [name, value] : kNames)
      if (*p == name) return value;
    return std::nullopt;
  }

  void Errors(JsonObject o) {
    const std::vector<std::string> kRecord = {"IGNORE_RECORD", "LOG_ERROR", "SUSPEND_TABLE",
                                              "STOP_TASK"};
    const std::vector<std::string> kEscalate = {"SUSPEND_TABLE", "STOP_TASK"};
    ErrorPolicies e;  // defaults: STOP_TASK (cutover's behaviour without task settings)
    if (auto p = Policy(o, "DataErrorPolicy", kRecord)) e.data = *p;
    if (auto p = Policy(o, "DataTruncationErrorPolicy", kRecord)) e.truncation = *p;
    if (auto p = Policy(o, "DataErrorEscalationPolicy", kEscalate)) e.data_escalation = *p;
    if (auto p = Policy(o, "TableErrorPolicy", kEscalate)) e.table = *p;
    (void)o.Enum("TableErrorEscalationPolicy", {"STOP_TASK", "SUSPEND_TABLE"});
    (void)o.Enum("EventErrorPolicy", {"IGNORE", "STOP_TASK"});
    std::vector<std::string> insert = kRecord, update = kRecord;
    insert.push_back("INSERT_RECORD");
    update.push_back("UPDATE_RECORD");
    if (auto p = Policy(o, "ApplyErrorInsertPolicy", insert)) e.insert = *p;
    auto upd = Policy(o, "ApplyErrorUpdatePolicy", update);
    auto del = Policy(o, "ApplyErrorDeletePolicy", kRecord);
    if (auto p =
            Policy(o, "ApplyErrorEscalationPolicy", {"LOG_ERROR", "SUSPEND_TABLE", "STOP_TASK"}))
      e.apply_escalation = *p;
    if (auto n = o.Int("DataErrorEscalationCount", 0, INT32_MAX)) e.data_escalation_count = *n;
    if (auto n = o.Int("ApplyErrorEscalationCount", 0, INT32_MAX)) e.apply_escalation_count = *n;
    (void)o.Int("TableErrorEscalationCount", 0, INT32_MAX);
    out_.recoverable_count = o.Int("RecoverableErrorCount", -1, INT32_MAX);
    out_.recoverable_interval_s = o.Int("RecoverableErrorInterval", 0, INT32_MAX);
    (void)o.Int("RecoverableErrorThrottlingMax", 0, INT32_MAX);
    for (const char* k :
         {"RecoverableErrorThrottling", "RecoverableErrorStopRetryAfterThrottlingMax",
          "ApplyErrorFailOnTruncationDdl", "FailOnNoTablesCaptured",
          "FailOnTransactionConsistencyBreached", "FullLoadIgnoreConflicts"})
      (void)o.Bool(k);
    // An UPDATE / DELETE that finds no row (engine/pipeline/apply_errors.h). Given either, both
    // act, the other with DMS's default (update LOG_ERROR, delete IGNORE_RECORD); given neither,
    // such a row is logged and counted as cutover always did (rows_not_found.h).
    if (upd || del) {
      e.missing_rows_set = true;
      e.update_missing = upd.value_or(ErrorPolicy::kLogError);
      e.delete_missing = del.value_or(ErrorPolicy::kIgnoreRecord);
    }
    Ignore(o, {"EventErrorPolicy", "TableErrorEscalationPolicy", "TableErrorEscalationCount",
               "RecoverableErrorThrottling", "RecoverableErrorThrottlingMax",
               "RecoverableErrorStopRetryAfterThrottlingMax", "ApplyErrorFailOnTruncationDdl",
               "FailOnNoTablesCaptured", "FailOnTransactionConsistencyBreached",
               "FullLoadIgnoreConflicts"});
    out_.errors = e;
  }

  void Validation(JsonObject o) {
    auto enable = o.Bool("EnableValidation");
    if (o.Bool("ValidationOnly").value_or(false)) {
      problems_.Error(o.PathOf("ValidationOnly"),
                      "ValidationOnly tasks: run `cutover validate` instead");
    }
    (void)o.Enum("ValidationMode", {"ROW_LEVEL", "GROUP_LEVEL"});
    out_.validation_threads = static_cast<int>(o.Int("ThreadCount", 1, 64).value_or(0));
    out_.validation_partition_rows = o.Int("PartitionSize", 1, INT32_MAX).value_or(0);
    out_.validation_failure_max = o.Int("FailureMaxCount", 0, INT32_MAX).value_or(0);
    out_.validation_recheck_s =
        static_cast<int>(o.Int("ValidationQueryCdcDelaySeconds", 0, 3600).value_or(0));
    for (const char* k :
         {"RecordFailureDelayInMinutes", "RecordSuspendDelayInMinutes", "MaxKeyColumnSize",
          "TableFailureMaxCount", "RecordFailureDelayLimitInMinutes", "ValidationPartialLobSize"})
      (void)o.Int(k, -1, INT32_MAX);
    for (const char* k : {"HandleCollationDiff", "SkipLobColumns"}) (void)o.Bool(k);
    out_.enable_validation = enable.value_or(false);
    Ignore(o, {"ValidationMode", "RecordFailureDelayInMinutes", "RecordSuspendDelayInMinutes",
               "MaxKeyColumnSize", "TableFailureMaxCount", "RecordFailureDelayLimitInMinutes",
               "ValidationPartialLobSize", "HandleCollationDiff", "SkipLobColumns"});
  }

  void Logging(JsonObject o) {
    (void)o.Bool("EnableLogging");
    (void)o.Bool("EnableLogContext");
    Ignore(o, {"EnableLogContext", "CloudWatchLogGroup", "CloudWatchLogStream"});
    const nlohmann::json* comps = o.Array("LogComponents");
    if (!comps) return;
    static const std::vector<std::string> kIds = {
        "SOURCE_UNLOAD",  "SOURCE_CAPTURE", "TARGET_LOAD",  "TARGET_APPLY",     "TASK_MANAGER",
        "TRANSFORMATION", "VALIDATOR_EXT",  "COMMON",       "ADDONS",           "DATA_STRUCTURE",
        "COMMUNICATION",  "FILE_TRANSFER",  "FILE_FACTORY", "METADATA_MANAGER", "PERFORMANCE",
        "SORTER",         "REST_SERVER",    "SERVICE",      "TABLES_MANAGER",   "IO",
        "INFRASTRUCTURE", "ASSERTION"};
    static const std::vector<std::string> kSeverities = {
        "LOGGER_SEVERITY_DEFAULT", "LOGGER_SEVERITY_ERROR", "LOGGER_SEVERITY_WARNING",
        "LOGGER_SEVERITY_INFO",    "LOGGER_SEVERITY_DEBUG", "LOGGER_SEVERITY_DETAILED_DEBUG"};
    // DMS's components that have a counterpart in cutover (engine/core/log_component.h).
    static const std::vector<std::pair<std::string, LogComponent>> kMapped = {
        {"SOURCE_UNLOAD", LogComponent::kSourceUnload},
        {"SOURCE_CAPTURE", LogComponent::kSourceCapture},
        {"TARGET_LOAD", LogComponent::kTargetLoad},
        {"TARGET_APPLY", LogComponent::kTargetApply},
        {"TASK_MANAGER", LogComponent::kTaskManager},
        {"TRANSFORMATION", LogComponent::kTransformation},
        {"VALIDATOR_EXT", LogComponent::kValidator}};
    static const std::vector<std::pair<std::string, LogLevel>> kLevels = {
        {"LOGGER_SEVERITY_ERROR", LogLevel::kError},
        {"LOGGER_SEVERITY_WARNING", LogLevel::kWarn},
        {"LOGGER_SEVERITY_INFO", LogLevel::kInfo},
        {"LOGGER_SEVERITY_DEBUG", LogLevel::kDebug},
        {"LOGGER_SEVERITY_DETAILED_DEBUG", LogLevel::kDebug}};
    std::vector<std::string> unmapped;
    for (size_t i = 0; i < comps->size(); ++i) {
      JsonObject c((*comps)[i], o.PathOf("LogComponents") + "[" + std::to_string(i) + "]",
                   problems_);
      c.CheckKeys({"Id", "Severity"});
      auto id = c.Enum("Id", kIds);
      auto sev = c.Enum("Severity", kSeverities);
      if (!c.Has("Id"))
        problems_.Error(c.path(), "missing Id (a DMS log component, e.g. TARGET_APPLY)");
      if (!c.Has("Severity"))
        problems_.Error(c.path(), "missing Severity (e.g. LOGGER_SEVERITY_DEBUG)");
      if (!id || !sev) continue;
      auto component = std::find_if(kMapped.begin(), kMapped.end(),
                                    [&](const auto& m) { return m.first == *id; });
      if (component == kMapped.end()) {
        unmapped.push_back(*id);
        continue;
      }
      for (const auto& [name, level] : kLevels)
        if (name == *sev) out_.log_levels[component->second] = level;
    }
    if (!unmapped.empty()) {
      std::string list;
      for (const auto& u : unmapped) list += (list.empty() ? "" : ", ") + u;
      out_.notes.push_back(problems_.file() + ": Logging.LogComponents " + list +
                           ": no such part in cutover, the severity has no effect (cutover's "
                           "parts: SOURCE_UNLOAD, TARGET_LOAD, SOURCE_CAPTURE, TARGET_APPLY, "
                           "TASK_MANAGER, TRANSFORMATION, VALIDATOR_EXT)");
    }
  }

  JsonProblems& problems_;
  TaskSettings out_;
  std::vector<std::string> ignored_;
};

Result<TaskSettings> Finish(std::optional<nlohmann::json> doc, JsonProblems& problems) {
  TaskSettings s;
  if (doc) s = Reader(problems).Read(*doc);
  for (const auto& w : problems.warnings()) s.notes.push_back(w);
  RETURN_IF_ERROR(problems.ToStatus());
  return s;
}

}  // namespace

Result<TaskSettings> ParseTaskSettings(std::string_view text, const std::string& file) {
  JsonProblems problems(file);
  auto doc = ParseJson(text, problems);
  return Finish(std::move(doc), problems);
}

Result<TaskSettings> ReadTaskSettingsFile(const std::string& path) {
  JsonProblems problems(path);
  auto doc = ReadJsonFile(path, problems);
  return Finish(std::move(doc), problems);
}

}  // namespace cutover::task
