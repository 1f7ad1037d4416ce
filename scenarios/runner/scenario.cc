#include "scenarios/runner/scenario.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "engine/registry/registry.h"
#include "engine/task/task_settings.h"

namespace cutover::scenario {

const char* EventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::kKillEngine:
      return "kill-engine";
    case EventKind::kStopEngine:
      return "stop-engine";
    case EventKind::kStartEngine:
      return "start-engine";
    case EventKind::kStopTarget:
      return "stop-target";
    case EventKind::kStartTarget:
      return "start-target";
    case EventKind::kRestartSource:
      return "restart-source";
    case EventKind::kNetwork:
      return "network";
    case EventKind::kSql:
      return "sql";
    case EventKind::kLoad:
      return "load";
  }
  return "?";
}

const char* NetworkModeName(NetworkMode mode) {
  switch (mode) {
    case NetworkMode::kCut:
      return "cut";
    case NetworkMode::kBlackhole:
      return "blackhole";
    case NetworkMode::kLatency:
      return "latency";
  }
  return "?";
}

const char* SideName(Side side) {
  return side == Side::kSource ? "source" : "target";
}

bool Scenario::needs_proxy(Side side) const {
  for (const Phase& p : phases)
    for (const Event& e : p.events)
      if (e.kind == EventKind::kNetwork && e.side == side) return true;
  return false;
}

double Scenario::planned_seconds() const {
  double total = 0;
  for (const Phase& p : phases) {
    if (p.ramp) {
      total +=
          (std::floor((p.ramp->max - p.ramp->start) / p.ramp->step) + 1) * p.ramp->step_seconds;
    } else {
      total += p.duration_s;
    }
  }
  return total;
}

namespace {

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
  return out;
}

// Reads one TOML document into a Scenario, failing on the first problem.
class Parser {
 public:
  explicit Parser(std::string file) : file_(std::move(file)) {}

  Status Error(int line, const std::string& path, const std::string& what) const {
    return InvalidArgument(fmt::format("{}:{}: key '{}': {}", file_, line, path, what));
  }
  static int LineOf(const toml::node& n) { return static_cast<int>(n.source().begin.line); }

  // Every key of `t` must be in `allowed`.
  Status CheckKeys(const toml::table& t, const std::string& prefix,
                   const std::vector<std::string>& allowed) const {
    for (auto&& [k, v] : t) {
      std::string key(k.str());
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        return Error(static_cast<int>(k.source().begin.line), prefix + key,
                     "unknown key (expected one of " + Join(allowed) + ")");
      }
    }
    return Status::Ok();
  }

  Status String(const toml::table& t, const std::string& prefix, const char* key, std::string* out,
                bool required = false) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) {
      if (required) return Error(LineOf(t), prefix + key, "missing (expected a string)");
      return Status::Ok();
    }
    auto v = n->value<std::string>();
    if (!n->is_string() || !v) return Error(LineOf(*n), prefix + key, "expected a string");
    *out = *v;
    return Status::Ok();
  }

  Status OneOf(const toml::table& t, const std::string& prefix, const char* key,
               const std::vector<std::string>& choices, std::string* out,
               bool required = false) const {
    std::string v;
    bool had = t.contains(key);
    RETURN_IF_ERROR(String(t, prefix, key, &v, required));
    if (!had) return Status::Ok();
    if (std::find(choices.begin(), choices.end(), v) == choices.end()) {
      return Error(LineOf(*t.get(key)), prefix + key,
                   "expected one of " + Join(choices) + " (got '" + v + "')");
    }
    *out = v;
    return Status::Ok();
  }

  Status Number(const toml::table& t, const std::string& prefix, const char* key, double* out,
                double min, double max, bool required = false) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) {
      if (required) return Error(LineOf(t), prefix + key, "missing (expected a number)");
      return Status::Ok();
    }
    if (!n->is_number()) return Error(LineOf(*n), prefix + key, "expected a number");
    double v = *n->value<double>();
    if (!(v >= min && v <= max)) {
      return Error(LineOf(*n), prefix + key,
                   fmt::format("expected a number from {} to {} (got {})", min, max, v));
    }
    *out = v;
    return Status::Ok();
  }

  template <typename Int>
  Status Integer(const toml::table& t, const std::string& prefix, const char* key, Int* out,
                 int64_t min, int64_t max) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return Status::Ok();
    if (!n->is_integer()) return Error(LineOf(*n), prefix + key, "expected an integer");
    int64_t v = *n->value<int64_t>();
    if (v < min || v > max) {
      return Error(LineOf(*n), prefix + key,
                   fmt::format("expected an integer from {} to {} (got {})", min, max, v));
    }
    *out = static_cast<Int>(v);
    return Status::Ok();
  }

  Status Bool(const toml::table& t, const std::string& prefix, const char* key, bool* out) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return Status::Ok();
    if (!n->is_boolean()) return Error(LineOf(*n), prefix + key, "expected true or false");
    *out = *n->value<bool>();
    return Status::Ok();
  }

  Status Bool(const toml::table& t, const std::string& prefix, const char* key,
              std::optional<bool>* out) const {
    if (!t.contains(key)) return Status::Ok();
    bool v = false;
    RETURN_IF_ERROR(Bool(t, prefix, key, &v));
    *out = v;
    return Status::Ok();
  }

  Status Strings(const toml::table& t, const std::string& prefix, const char* key,
                 std::vector<std::string>* out) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return Status::Ok();
    const toml::array* a = n->as_array();
    if (a == nullptr) return Error(LineOf(*n), prefix + key, "expected an array of strings");
    out->clear();
    for (size_t i = 0; i < a->size(); ++i) {
      const toml::node& e = *a->get(i);
      if (!e.is_string()) {
        return Error(LineOf(e), fmt::format("{}{}[{}]", prefix, key, i), "expected a string");
      }
      out->push_back(*e.value<std::string>());
    }
    return Status::Ok();
  }

  // A table-valued key, or null when absent.
  Result<const toml::table*> Table(const toml::table& t, const std::string& prefix,
                                   const char* key) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return static_cast<const toml::table*>(nullptr);
    if (!n->is_table()) return Error(LineOf(*n), prefix + key, "expected a table");
    return n->as_table();
  }

  // [task] table_mappings / task_settings: resolved against the scenario's folder and read now,
  // so a bad file stops the scenario before any server starts (its message names the JSON path).
  Status TaskFiles(const toml::table& task, TaskSpec& spec) const {
    for (const char* key : {"table_mappings", "task_settings", "target_settings"}) {
      std::string path;
      RETURN_IF_ERROR(String(task, "task.", key, &path));
      if (path.empty()) continue;
      std::filesystem::path p(path);
      if (p.is_relative()) p = std::filesystem::path(file_).parent_path() / p;
      int line = LineOf(*task.get(key));
      Status read = Status::Ok();
      if (std::string(key) == "table_mappings") {
        std::vector<std::string> notes;
        auto mapping = task::ReadTableMappingFile(p.string(), &notes);
        if (mapping.ok())
          spec.mapping = std::make_shared<const task::TableMapping>(std::move(*mapping));
        read = mapping.status();
        spec.table_mappings = p.string();
      } else if (std::string(key) == "target_settings") {
        // Read by the target's engine when the task starts; here only its presence is checked.
        if (!std::filesystem::is_regular_file(p))
          read = InvalidArgument(p.string() + ": no such file");
        spec.target_settings = p.string();
      } else {
        read = task::ReadTaskSettingsFile(p.string()).status();
        spec.task_settings = p.string();
      }
      if (!read.ok()) return Error(line, std::string("task.") + key, read.message());
    }
    return Status::Ok();
  }

  Result<std::string> ReadRelative(const std::string& path, int line,
                                   const std::string& key) const {
    std::filesystem::path p(path);
    if (p.is_relative()) p = std::filesystem::path(file_).parent_path() / p;
    std::ifstream in(p);
    if (!in) return Error(line, key, "cannot read SQL file '" + p.string() + "'");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  Status Endpoint(const toml::table& root, const char* key, EndpointSpec* out) const {
    ASSIGN_OR_RETURN(const toml::table* t, Table(root, "", key));
    std::string prefix = std::string(key) + ".";
    if (t == nullptr) return Error(LineOf(root), key, "missing (expected a table with engine)");
    RETURN_IF_ERROR(CheckKeys(*t, prefix, {"engine", "uri", "store"}));
    std::string engine;
    std::vector<std::string> names;
    for (const EngineDriver* d : Engines()) names.emplace_back(d->name());
    RETURN_IF_ERROR(OneOf(*t, prefix, "engine", names, &engine, true));
    out->engine = FindEngine(engine);
    RETURN_IF_ERROR(String(*t, prefix, "uri", &out->uri));
    RETURN_IF_ERROR(OneOf(*t, prefix, "store", {"folder", "s3"}, &out->store));
    if (out->store == "folder") out->store.clear();
    if (!out->store.empty() && (!out->engine->capabilities().append_only || !out->uri.empty())) {
      return Error(LineOf(*t->get("store")), prefix + "store",
                   "only for a file target without a uri (engine = \"lakehouse\")");
    }
    if (!out->uri.empty()) {
      auto kind = EngineForUri(out->uri, prefix + "uri");
      if (!kind.ok() || *kind != out->engine) {
        return Error(LineOf(*t->get("uri")), prefix + "uri",
                     "expected a " + engine + " URI (got '" + RedactUri(out->uri) + "')");
      }
    }
    return Status::Ok();
  }

  Status Load(const toml::table& t, const std::string& prefix, const std::string& dflt_workload,
              bool rate_required, LoadProfile* out) const {
    RETURN_IF_ERROR(
        CheckKeys(t, prefix, {"workload", "rate", "clients", "dist", "mix", "txn_size", "rows"}));
    out->workload = dflt_workload;
    RETURN_IF_ERROR(OneOf(t, prefix, "workload", {"oltp", "ecommerce", "bulk"}, &out->workload));
    if (out->workload.empty()) {
      return Error(LineOf(t), prefix + "workload",
                   "missing (expected oltp, ecommerce or bulk; [dataset] workload is none)");
    }
    RETURN_IF_ERROR(Number(t, prefix, "rate", &out->rate, 0.1, 1e6, rate_required));
    RETURN_IF_ERROR(Integer(t, prefix, "clients", &out->clients, 1, 256));
    RETURN_IF_ERROR(String(t, prefix, "dist", &out->dist));
    RETURN_IF_ERROR(String(t, prefix, "mix", &out->mix));
    RETURN_IF_ERROR(Integer(t, prefix, "txn_size", &out->txn_size, 1, 100000));
    RETURN_IF_ERROR(Integer(t, prefix, "rows", &out->rows, 1, 100000000));
    return Status::Ok();
  }

  Status ParseEvent(const toml::table& t, const std::string& prefix, const Scenario& sc,
                    const Phase& phase, Event* e) const {
    e->line = LineOf(t);
    RETURN_IF_ERROR(CheckKeys(t, prefix,
                              {"at", "kind", "delay", "duration", "endpoint", "mode", "latency_ms",
                               "sql", "file", "rate"}));
    RETURN_IF_ERROR(Number(t, prefix, "at", &e->at_s, 0, 86400, true));
    std::string kind;
    RETURN_IF_ERROR(OneOf(t, prefix, "kind",
                          {"kill-engine", "stop-engine", "start-engine", "stop-target",
                           "start-target", "restart-source", "network", "sql", "load"},
                          &kind, true));
    for (EventKind k : {EventKind::kKillEngine, EventKind::kStopEngine, EventKind::kStartEngine,
                        EventKind::kStopTarget, EventKind::kStartTarget, EventKind::kRestartSource,
                        EventKind::kNetwork, EventKind::kSql, EventKind::kLoad}) {
      if (kind == EventKindName(k)) e->kind = k;
    }
    // Keys that only some kinds take.
    auto only = [&](const char* key, std::initializer_list<EventKind> kinds) -> Status {
      if (!t.contains(key)) return Status::Ok();
      for (EventKind k : kinds)
        if (k == e->kind) return Status::Ok();
      return Error(LineOf(*t.get(key)), prefix + key,
                   "not a key of a '" + kind + "' event (see docs/scenarios.md)");
    };
    RETURN_IF_ERROR(only("delay", {EventKind::kKillEngine}));
    RETURN_IF_ERROR(only("duration", {EventKind::kStopTarget, EventKind::kNetwork}));
    RETURN_IF_ERROR(only("endpoint", {EventKind::kNetwork, EventKind::kSql}));
    RETURN_IF_ERROR(only("mode", {EventKind::kNetwork}));
    RETURN_IF_ERROR(only("latency_ms", {EventKind::kNetwork}));
    RETURN_IF_ERROR(only("sql", {EventKind::kSql}));
    RETURN_IF_ERROR(only("file", {EventKind::kSql}));
    RETURN_IF_ERROR(only("rate", {EventKind::kLoad}));

    RETURN_IF_ERROR(Number(t, prefix, "delay", &e->delay_s, 0, 3600));
    RETURN_IF_ERROR(
        Number(t, prefix, "duration", &e->duration_s, 0.1, 3600, e->kind == EventKind::kNetwork));
    std::string side = "source";
    RETURN_IF_ERROR(
        OneOf(t, prefix, "endpoint", {"source", "target"}, &side, e->kind == EventKind::kNetwork));
    e->side = side == "target" ? Side::kTarget : Side::kSource;
    switch (e->kind) {
      case EventKind::kNetwork: {
        std::string mode;
        RETURN_IF_ERROR(OneOf(t, prefix, "mode", {"cut", "blackhole", "latency"}, &mode, true));
        e->mode = mode == "cut"         ? NetworkMode::kCut
                  : mode == "blackhole" ? NetworkMode::kBlackhole
                                        : NetworkMode::kLatency;
        if (e->mode == NetworkMode::kLatency && !t.contains("latency_ms"))
          return Error(e->line, prefix + "latency_ms", "missing (a latency fault needs it)");
        RETURN_IF_ERROR(Integer(t, prefix, "latency_ms", &e->latency_ms, 1, 60000));
        const EndpointSpec& ep = e->side == Side::kSource ? sc.source : sc.target;
        if (!ep.engine->capabilities().network) {
          return Error(
              LineOf(*t.get("endpoint")), prefix + "endpoint",
              "a " + std::string(ep.engine->display_name()) + " endpoint has no network to fault");
        }
        break;
      }
      case EventKind::kSql: {
        if (t.contains("sql") == t.contains("file"))
          return Error(e->line, prefix + "sql", "expected exactly one of sql or file");
        RETURN_IF_ERROR(String(t, prefix, "sql", &e->sql));
        RETURN_IF_ERROR(String(t, prefix, "file", &e->sql_file));
        if (!e->sql_file.empty()) {
          ASSIGN_OR_RETURN(e->sql,
                           ReadRelative(e->sql_file, LineOf(*t.get("file")), prefix + "file"));
        }
        break;
      }
      case EventKind::kLoad:
        RETURN_IF_ERROR(Number(t, prefix, "rate", &e->rate, 0.1, 1e6, true));
        if (!phase.load) {
          return Error(e->line, prefix + "kind",
                       "a load event needs a [phase.load] profile in its phase");
        }
        break;
      case EventKind::kStopTarget:
      case EventKind::kStartTarget:
        if (sc.target.store != "s3" &&
            (!sc.target.throwaway() || sc.target.engine->throwaway_server().empty())) {
          return Error(LineOf(*t.get("kind")), prefix + "kind",
                       "needs a throwaway PostgreSQL or MariaDB target (no [target] uri) or "
                       "a lakehouse target with store = \"s3\"");
        }
        break;
      case EventKind::kRestartSource:
        if (!sc.source.throwaway() || sc.source.engine->throwaway_server().empty()) {
          return Error(LineOf(*t.get("kind")), prefix + "kind",
                       "needs a throwaway PostgreSQL or MariaDB source (no [source] uri)");
        }
        break;
      default:
        break;
    }
    return Status::Ok();
  }

  Status ParsePhase(const toml::table& t, const std::string& prefix, Scenario& sc, Phase* p) const {
    p->line = LineOf(t);
    RETURN_IF_ERROR(CheckKeys(
        t, prefix,
        {"name", "duration", "until", "timeout", "validate", "load", "ramp", "events", "cutover"}));
    RETURN_IF_ERROR(String(t, prefix, "name", &p->name));
    RETURN_IF_ERROR(Number(t, prefix, "duration", &p->duration_s, 0.1, 86400));
    RETURN_IF_ERROR(OneOf(t, prefix, "until", {"loaded", "caught-up"}, &p->until));
    RETURN_IF_ERROR(Number(t, prefix, "timeout", &p->timeout_s, 1, 86400));
    RETURN_IF_ERROR(Bool(t, prefix, "validate", &p->validate));
    RETURN_IF_ERROR(Bool(t, prefix, "cutover", &p->cutover));
    if (p->cutover && !t.contains("duration")) {
      return Error(LineOf(*t.get("cutover")), prefix + "duration",
                   "missing (a cutover phase runs the application on the target this long)");
    }
    ASSIGN_OR_RETURN(const toml::table* load, Table(t, prefix, "load"));
    if (load) {
      p->load.emplace();
      RETURN_IF_ERROR(
          Load(*load, prefix + "load.", sc.dataset.workload, !t.contains("ramp"), &*p->load));
    }
    ASSIGN_OR_RETURN(const toml::table* ramp, Table(t, prefix, "ramp"));
    if (ramp) {
      std::string rp = prefix + "ramp.";
      RETURN_IF_ERROR(CheckKeys(*ramp, rp, {"start", "step", "step_seconds", "max", "max_lag"}));
      Ramp r;
      RETURN_IF_ERROR(Number(*ramp, rp, "start", &r.start, 0.1, 1e6, true));
      RETURN_IF_ERROR(Number(*ramp, rp, "step", &r.step, 0.1, 1e6, true));
      RETURN_IF_ERROR(Number(*ramp, rp, "step_seconds", &r.step_seconds, 2, 3600, true));
      RETURN_IF_ERROR(Number(*ramp, rp, "max", &r.max, r.start, 1e7, true));
      RETURN_IF_ERROR(Number(*ramp, rp, "max_lag", &r.max_lag_s, 0.01, 3600));
      if (!load) {
        return Error(LineOf(*ramp), prefix + "load",
                     "missing (a ramp phase needs [phase.load] for its workload)");
      }
      p->ramp = r;
    }
    int ends = (t.contains("duration") ? 1 : 0) + (t.contains("until") ? 1 : 0) + (ramp ? 1 : 0);
    if (ends != 1) {
      return Error(p->line, prefix + "duration",
                   "expected exactly one of duration, until or ramp (how the phase ends)");
    }
    if (t.contains("timeout") && !t.contains("until"))
      return Error(LineOf(*t.get("timeout")), prefix + "timeout", "only with until");
    if (p->until == "loaded" && sc.task.type == "cdc") {
      return Error(LineOf(*t.get("until")), prefix + "until",
                   "a cdc task has no full load to wait for");
    }
    if (const toml::node* ev = t.get("events")) {
      const toml::array* a = ev->as_array();
      if (a == nullptr) return Error(LineOf(*ev), prefix + "events", "expected [[phase.events]]");
      for (size_t i = 0; i < a->size(); ++i) {
        std::string ep = fmt::format("{}events[{}]", prefix, i);
        const toml::table* et = a->get(i)->as_table();
        if (et == nullptr) return Error(LineOf(*a->get(i)), ep, "expected a table");
        Event e;
        RETURN_IF_ERROR(ParseEvent(*et, ep + ".", sc, *p, &e));
        double limit = p->duration_s > 0 ? p->duration_s : p->ramp ? 1e9 : p->timeout_s;
        if (e.at_s >= limit) {
          return Error(LineOf(*et->get("at")), ep + ".at",
                       fmt::format("expected less than the phase's length ({} s)", limit));
        }
        p->events.push_back(std::move(e));
      }
      std::stable_sort(p->events.begin(), p->events.end(),
                       [](const Event& a, const Event& b) { return a.at_s < b.at_s; });
    }
    return Status::Ok();
  }

  Result<Scenario> Parse(std::string_view text) const {
    toml::table root;
    try {
      root = toml::parse(text, file_);
    } catch (const toml::parse_error& e) {
      return InvalidArgument(
          fmt::format("{}:{}: {}", file_, e.source().begin.line, std::string(e.description())));
    }
    Scenario sc;
    sc.file = file_;
    sc.text = std::string(text);
    RETURN_IF_ERROR(CheckKeys(root, "",
                              {"name", "description", "source", "target", "dataset", "task",
                               "measure", "phase", "expect"}));
    sc.name = std::filesystem::path(file_).stem().string();
    RETURN_IF_ERROR(String(root, "", "name", &sc.name));
    RETURN_IF_ERROR(String(root, "", "description", &sc.description));
    RETURN_IF_ERROR(Endpoint(root, "source", &sc.source));
    RETURN_IF_ERROR(Endpoint(root, "target", &sc.target));
    // A file target without a uri writes into the run's output folder (target-files/).
    if (sc.target.engine->throwaway_server().empty() && sc.target.throwaway() &&
        !sc.target.engine->capabilities().append_only) {
      return Error(LineOf(*root.get("target")), "target.uri",
                   "a " + std::string(sc.target.engine->display_name()) + " target needs a uri (" +
                       sc.target.engine->FileUri("/path") + ")");
    }

    ASSIGN_OR_RETURN(const toml::table* ds, Table(root, "", "dataset"));
    if (ds) {
      RETURN_IF_ERROR(CheckKeys(*ds, "dataset.", {"workload", "scale", "dist", "sql"}));
      RETURN_IF_ERROR(OneOf(*ds, "dataset.", "workload", {"none", "oltp", "ecommerce", "bulk"},
                            &sc.dataset.workload));
      if (sc.dataset.workload == "none") sc.dataset.workload.clear();
      RETURN_IF_ERROR(Integer(*ds, "dataset.", "scale", &sc.dataset.scale, 1, 100000));
      RETURN_IF_ERROR(String(*ds, "dataset.", "dist", &sc.dataset.dist));
      RETURN_IF_ERROR(Strings(*ds, "dataset.", "sql", &sc.dataset.sql_files));
      for (size_t i = 0; i < sc.dataset.sql_files.size(); ++i) {
        ASSIGN_OR_RETURN(std::string sql,
                         ReadRelative(sc.dataset.sql_files[i], LineOf(*ds->get("sql")),
                                      fmt::format("dataset.sql[{}]", i)));
        sc.dataset.sql.push_back(std::move(sql));
      }
    }

    sc.task.name = sc.name;
    std::replace(sc.task.name.begin(), sc.task.name.end(), '-', '_');
    ASSIGN_OR_RETURN(const toml::table* task, Table(root, "", "task"));
    if (task) {
      RETURN_IF_ERROR(CheckKeys(
          *task, "task.",
          {"name", "type", "tables", "parallel", "table_mappings", "task_settings",
           "target_settings", "restart_on_failure", "restart_backoff", "metrics_listen"}));
      RETURN_IF_ERROR(String(*task, "task.", "name", &sc.task.name));
      RETURN_IF_ERROR(OneOf(*task, "task.", "type", {"full-load-and-cdc", "cdc"}, &sc.task.type));
      RETURN_IF_ERROR(Strings(*task, "task.", "tables", &sc.task.tables));
      RETURN_IF_ERROR(Integer(*task, "task.", "parallel", &sc.task.parallel, 1, 64));
      RETURN_IF_ERROR(TaskFiles(*task, sc.task));
      RETURN_IF_ERROR(Bool(*task, "task.", "restart_on_failure", &sc.task.restart_on_failure));
      RETURN_IF_ERROR(
          Number(*task, "task.", "restart_backoff", &sc.task.restart_backoff_s, 0.1, 60));
      RETURN_IF_ERROR(String(*task, "task.", "metrics_listen", &sc.task.metrics_listen));
      const std::string& ml = sc.task.metrics_listen;
      const size_t colon = ml.rfind(':');
      const std::string port = colon == std::string::npos ? "" : ml.substr(colon + 1);
      if (task->contains("metrics_listen") &&
          (colon == 0 || port.empty() || port.size() > 5 ||
           port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) == 0 ||
           std::stoi(port) > 65535)) {
        return Error(
            LineOf(*task->get("metrics_listen")), "task.metrics_listen",
            "expected HOST:PORT with a port 1-65535, e.g. \"127.0.0.1:9187\" (got '" + ml + "')");
      }
    }
    {
      bool ok = !sc.task.name.empty() && sc.task.name.size() <= 48;
      for (char c : sc.task.name)
        ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
      if (!ok) {
        return Error(task && task->contains("name") ? LineOf(*task->get("name")) : 1, "task.name",
                     "expected 1-48 of [a-z0-9_] (default: the scenario name with - as _; got '" +
                         sc.task.name + "')");
      }
    }

    ASSIGN_OR_RETURN(const toml::table* ms, Table(root, "", "measure"));
    if (ms) {
      RETURN_IF_ERROR(
          CheckKeys(*ms, "measure.", {"caught_up_lag", "lag_interval", "final_catch_up_timeout"}));
      RETURN_IF_ERROR(
          Number(*ms, "measure.", "caught_up_lag", &sc.measure.caught_up_lag_s, 0.01, 3600));
      RETURN_IF_ERROR(
          Number(*ms, "measure.", "lag_interval", &sc.measure.lag_interval_s, 0.05, 10));
      RETURN_IF_ERROR(Number(*ms, "measure.", "final_catch_up_timeout",
                             &sc.measure.final_catch_up_timeout_s, 1, 86400));
    }

    const toml::node* phases = root.get("phase");
    if (phases == nullptr) return Error(1, "phase", "missing (expected at least one [[phase]])");
    const toml::array* pa = phases->as_array();
    if (pa == nullptr || pa->empty())
      return Error(LineOf(*phases), "phase", "expected at least one [[phase]]");
    for (size_t i = 0; i < pa->size(); ++i) {
      std::string pp = fmt::format("phase[{}]", i);
      const toml::table* pt = pa->get(i)->as_table();
      if (pt == nullptr) return Error(LineOf(*pa->get(i)), pp, "expected a table ([[phase]])");
      Phase p;
      p.name = fmt::format("phase-{}", i + 1);
      RETURN_IF_ERROR(ParsePhase(*pt, pp + ".", sc, &p));
      for (const Phase& q : sc.phases) {
        if (q.name == p.name) {
          return Error(pt->contains("name") ? LineOf(*pt->get("name")) : p.line, pp + ".name",
                       "expected a name not used by an earlier phase ('" + p.name + "')");
        }
      }
      if (!sc.phases.empty() && sc.phases.back().cutover) {
        return Error(p.line, pp,
                     "expected no phase after the cutover phase (the source is no "
                     "longer replicated after it)");
      }
      sc.phases.push_back(std::move(p));
    }

    ASSIGN_OR_RETURN(const toml::table* ex, Table(root, "", "expect"));
    if (ex) {
      RETURN_IF_ERROR(
          CheckKeys(*ex, "expect.",
                    {"consistent", "max_lag_seconds", "max_lag_phases", "catch_up_seconds",
                     "no_engine_errors", "min_sustainable_rows_per_s"}));
      RETURN_IF_ERROR(Bool(*ex, "expect.", "consistent", &sc.expect.consistent));
      RETURN_IF_ERROR(Bool(*ex, "expect.", "no_engine_errors", &sc.expect.no_engine_errors));
      double v = 0;
      if (ex->contains("max_lag_seconds")) {
        RETURN_IF_ERROR(Number(*ex, "expect.", "max_lag_seconds", &v, 0, 86400));
        sc.expect.max_lag_s = v;
      }
      if (ex->contains("catch_up_seconds")) {
        RETURN_IF_ERROR(Number(*ex, "expect.", "catch_up_seconds", &v, 0, 86400));
        sc.expect.catch_up_s = v;
      }
      if (ex->contains("min_sustainable_rows_per_s")) {
        RETURN_IF_ERROR(Number(*ex, "expect.", "min_sustainable_rows_per_s", &v, 0, 1e9));
        sc.expect.min_rows_per_s = v;
      }
      RETURN_IF_ERROR(Strings(*ex, "expect.", "max_lag_phases", &sc.expect.max_lag_phases));
      for (size_t i = 0; i < sc.expect.max_lag_phases.size(); ++i) {
        const std::string& n = sc.expect.max_lag_phases[i];
        if (std::none_of(sc.phases.begin(), sc.phases.end(),
                         [&](const Phase& p) { return p.name == n; })) {
          return Error(LineOf(*ex->get("max_lag_phases")),
                       fmt::format("expect.max_lag_phases[{}]", i),
                       "expected the name of a phase (got '" + n + "')");
        }
      }
    }
    return sc;
  }

 private:
  std::string file_;
};

}  // namespace

Result<Scenario> ParseScenario(std::string_view text, const std::string& file) {
  return Parser(file).Parse(text);
}

Result<Scenario> LoadScenarioFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return InvalidArgument(path + ": cannot read the scenario file");
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseScenario(ss.str(), path);
}

}  // namespace cutover::scenario
