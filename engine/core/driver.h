// EngineDriver: everything cutover needs from one database engine, behind one interface.
//
// Design: the engine is the unit of extension. Each engine folder (engine/pg, engine/mariadb,
// engine/sqlite, ...) implements one EngineDriver and the registry (engine/registry/) lists the
// drivers; the pipeline, the validator, the load generator, the scenario runner and the CLI find
// an engine by URI scheme or name there and call it only through this interface and the
// interfaces it returns (Source, Sink, validator::RangeScanner, loadgen::Session). Nothing
// outside an engine folder includes its headers except the registry's one list
// (engine/registry/engines.cc), so adding an engine is one folder plus one line there
// (docs/adding-an-engine.md). Optional parts (a scanner, a load session, a change-log dump)
// have defaults that say the engine does not offer them, so a new engine can grow into the
// contract; its capabilities tell the callers what it can do before they try.
//
// Contract for implementers: a driver is stateless and lives for the whole process (the
// registry hands out `const EngineDriver&`), so every method is safe to call from any thread.
// Every method that connects names the redacted URI in its errors (engine/core/uri.h).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/checkpoint.h"
#include "engine/core/endpoint.h"
#include "engine/core/load_session.h"
#include "engine/core/lossy.h"
#include "engine/core/range_scanner.h"
#include "engine/core/readiness_check.h"
#include "engine/core/schema.h"
#include "engine/core/status.h"
#include "engine/core/target_session.h"

namespace cutover {

// Options every source accepts (each engine uses those that concern it).
struct SourceOptions {
  std::string spool_dir;  // where the source may spool large in-progress transactions
  // Connections a snapshot opens up front for parallel readers (MariaDB cannot share one
  // snapshot between connections: they are aligned once, at the start). The full load's
  // --parallel.
  int snapshot_connections = 4;
};

// What an engine can do, so callers decide before they try.
struct EngineCapabilities {
  bool source = false;  // OpenSource works: full load and change capture
  // OpenSource works only to list the tables a target holds (DiscoverTables), with OpenScanner,
  // for `cutover validate` against an engine that is no replication source (files); its
  // snapshots and change capture are refused with a clear error.
  bool readable = false;
  bool target = false;  // OpenSink works
  // The target applies each source transaction together with the task's checkpoint in one
  // target transaction (exactly-once by construction). A target without it (files) must make
  // its own writes idempotent.
  bool transactional = false;
  bool append_only = false;  // the target can only append (no UPDATE / DELETE in place)
  // The source keeps a server-side position for the task (PostgreSQL's replication slot) that
  // must be dropped when the task is.
  bool has_slot = false;
  // Endpoints are network servers (scripts/servers.sh can start a throwaway one, a fault proxy
  // can sit in front of it); false: a local file (SQLite).
  bool network = false;
  // The full load can write its rows without the target's own change log (MariaDB: the
  // session's binary logging off), for SinkOptions::load_change_log = false.
  bool load_without_change_log = false;
};

// `cutover binlog`-style dump of a source's change log as cutover decodes it.
struct ChangeLogDumpRequest {
  std::string uri;
  std::string from;        // engine's position text (MariaDB FILE:OFFSET); "" = current end
  std::string gtid;        // start after this GTID state instead (engines with GTIDs)
  std::string until;       // stop at this position; "" = never
  bool until_end = false;  // stop at the end as it was at the start
  std::vector<std::string> tables;  // decode rows only of these table patterns
  bool rows = false;                // print every decoded row image
  bool stats = false;               // print only a summary
  int64_t count = 0;                // stop after this many events (0: no limit)
  uint32_t server_id = 4023;        // replica id of the dump connection (MariaDB)
  int heartbeat_ms = 1000;
  const std::atomic<bool>* stop = nullptr;  // set: stop at the next event (signals)
};

// Which end of a task an endpoint is, for its readiness checks.
enum class EndpointRole { kSource, kTarget };

// ---- What `cutover switch` (engine/pipeline/switch.h) asks of a source and of a target ----

// A source's log as the switch sees it: whether writes still commit, and where its log ends.
struct SourceLogMark {
  // Changes whenever a write transaction commits on the source's server, and only then (log
  // noise such as checkpoints or vacuum does not count): two equal marks taken seconds apart
  // mean no write committed in between. Opaque, for comparison only. Server-wide where the
  // engine cannot tell databases apart (PostgreSQL's transaction ids, MariaDB's GTIDs).
  std::string writes;
  // The log's end now: every transaction committed before the call is ordered at or before it,
  // and a task's stream that has delivered all of them reports ChangeStream::CaughtUpTo() >= it
  // once it has read to the log's end. Text as in checkpoints (Source::ParsePosition).
  Position end;
};

// A source table's key generator (PostgreSQL identity / serial sequence, MariaDB
// AUTO_INCREMENT, SQLite AUTOINCREMENT) or a sequence of the source's own (`table` empty).
struct KeyGenerator {
  TableName table;       // the source table; empty for a sequence no column owns
  std::string column;    // the column it fills; empty for a sequence no column owns
  std::string sequence;  // the sequence's own name where it has one ("public.actor_actor_id_seq")
  int64_t next = 1;      // the next value it would hand out
};

// What the switch asks of a target table: every key generator of `table` hands out values
// above `at_least - 1` (the source's next value for that column) and above the table's largest
// value in that column. `column` empty: only the table's own maximum counts.
struct KeyGeneratorFloor {
  TableName table;  // the target table (EngineDriver::TargetTable)
  std::string column;
  std::string sequence;  // a sequence no column owns: set the target's sequence of this name
  int64_t at_least = 1;
};

// One key generator the target moved (or found already past its floor).
struct KeyGeneratorSet {
  TableName table;        // empty for a sequence no column owns
  std::string column;     // empty for such a sequence
  std::string generator;  // the target's name for it: a sequence, "AUTO_INCREMENT", ...
  int64_t before = 0;     // the next value before (0: unknown)
  int64_t next = 0;       // the next value it hands out now
};

// A table's triggers as its source defines them (Trigger::definition names the source table),
// under the table's name on the target: what `cutover switch` asks a target to enable.
struct TableTriggers {
  TableName table;  // on the target
  std::vector<Trigger> triggers;
};

// What became of one trigger at the switch.
struct TriggerOutcome {
  std::string name;     // "schema.table.trigger" (the target's table)
  std::string action;   // "enabled", "created", "already enabled", "left disabled" (as on the
                        // source); "" when it failed
  std::string problem;  // why it failed ("" otherwise)
};

// What a reader of a file target sees now (EngineDriver::ReadVisibleFiles): the scenario
// runner's lag probe and report for targets it cannot run SQL on.
struct VisibleFiles {
  int64_t files = 0;  // committed data files (listed in a manifest)
  int64_t bytes = 0;  // their size
  // cutover_heartbeat's row in its latest committed file: the source clock (µs since the
  // epoch) and sequence number the load generator wrote; nullopt before the first one.
  std::optional<int64_t> heartbeat_us, heartbeat_seq;
};

class EngineDriver {
 public:
  virtual ~EngineDriver() = default;

  // The engine's name: what Source::engine() / Sink::engine() / TableSchema::engine say
  // ("postgresql"), and what scenario files and reports use.
  virtual std::string_view name() const = 0;
  // For people: "PostgreSQL".
  virtual std::string_view display_name() const = 0;
  // URI schemes naming this engine, the first one canonical ("postgresql", "postgres").
  virtual std::vector<std::string_view> schemes() const = 0;
  virtual EngineCapabilities capabilities() const = 0;

  // Replication endpoints. Defaults: kInvalidArgument naming the engine (the user asked for
  // something it does not do).
  virtual Result<std::unique_ptr<Source>> OpenSource(const std::string& uri,
                                                     const SourceOptions& options) const;
  virtual Result<std::unique_ptr<Sink>> OpenSink(const std::string& uri,
                                                 const SinkOptions& options) const;

  // The validator's reader of key ranges (engine/core/range_scanner.h), on a new connection.
  virtual Result<std::unique_ptr<validator::RangeScanner>> OpenScanner(
      const std::string& uri) const;
  // The load generator's session (engine/core/load_session.h), on a new connection; also used
  // to read the replicated heartbeat (HeartbeatMicrosSql) on a target.
  virtual Result<std::unique_ptr<loadgen::Session>> OpenLoadSession(const std::string& uri) const;

  // Where `source_table` lands on a target of this engine reached by `target_uri`: honours the
  // task's mapping (TableSchema::target_schema / target_table) where the engine has room for it.
  // The sinks and the validator both use it, so they always agree.
  virtual Result<TableName> TargetTable(const TableSchema& source_table,
                                        const std::string& target_uri) const = 0;

  // The lossy rules (engine/core/lossy.h) a target of this engine applies to each column of
  // `source_table`, one entry per column in order: what the target's own plan of its columns
  // decides (the plan its encoder uses), so the task's announcements at start (type-level rules,
  // with their notes) and the validator's comparison read the same rules. A source of this
  // engine gets no rules (its types are recreated exactly). Default: no rules.
  virtual std::vector<ColumnRules> TargetRules(const TableSchema& source_table) const;

  // Read-only: a task's state on a target of this engine (its checkpoint and the source tables
  // it loaded), from the control tables; std::nullopt when the target has none. Never creates
  // or changes anything.
  virtual Result<std::optional<TaskState>> ReadTaskState(const std::string& target_uri,
                                                         const std::string& task) const = 0;

  // "PostgreSQL 15.18", "MariaDB 10.11.6", "SQLite 3.40.1".
  virtual Result<std::string> ServerVersion(const std::string& uri) const = 0;
  // SQL returning cutover_heartbeat.source_time as µs since the Unix epoch (one integer) on a
  // target of this engine (the scenario runner's lag probe).
  virtual std::string HeartbeatMicrosSql() const = 0;
  // File targets (HeartbeatMicrosSql() empty): what is committed and visible at `uri` now.
  // Default: nullopt (a database target: read it with HeartbeatMicrosSql).
  virtual Result<std::optional<VisibleFiles>> ReadVisibleFiles(const std::string& uri) const {
    (void)uri;
    return std::optional<VisibleFiles>();
  }
  // The port a URI without one means (network engines), else 0.
  virtual int default_port() const { return 0; }
  // scripts/servers.sh's name for a throwaway server of this engine ("postgres", "mariadb"),
  // or "" when the engine has none (files).
  virtual std::string_view throwaway_server() const { return ""; }
  // The URI of a local file endpoint at `path` (file engines); "" otherwise.
  virtual std::string FileUri(const std::string& path) const {
    (void)path;
    return "";
  }

  // Prints the source's change log as cutover decodes it, one line per event, to stdout.
  // Default: kInvalidArgument.
  virtual Status DumpChangeLog(const ChangeLogDumpRequest& request) const;

  // Bytes of its change log the source at `uri` keeps for `task`, whose last applied position
  // (text form) is `position` ("" before CDC started), on a short-lived connection of its own
  // (the metric cutover_source_log_retained_bytes, docs/metrics.md). nullopt: the engine has no
  // such log, or nothing is held yet. Default: nullopt.
  virtual Result<std::optional<int64_t>> RetainedLogBytes(const std::string& uri,
                                                          const std::string& task,
                                                          const std::string& position) const;

  // `cutover test-connection`: adds to `checks` one check per thing a task needs from the
  // endpoint at `uri` in `role`, each with what was found and the remedy (readiness_check.h).
  // Always "<name>.connect" (reachable, authenticated: a failure is a failed check carrying the
  // redacted error, never the password) and, once connected, "<name>.version"; then for a source
  // every setting, privilege and headroom change capture needs (the failed ones are exactly what
  // Source::CheckChangeCapture refuses at task start, so both say the same), for a target what
  // loading and applying need. Reads only: creates and changes nothing. Returns an error only for
  // input that names no endpoint (a malformed URI). Default: connect and version through
  // ServerVersion; overrides call it first and add their checks only when connect passed.
  virtual Status CheckEndpoint(const std::string& uri, EndpointRole role,
                               const EndpointCheckOptions& options, CheckList& checks) const;

  // ---- cutover switch. Defaults: kInvalidArgument naming the engine. ----

  // The source's write mark and log end (SourceLogMark), on a short-lived connection. Never
  // writes to the source.
  virtual Result<SourceLogMark> ReadSourceLogMark(const std::string& source_uri) const;
  // The key generators of `tables` on the source (columns that generate keys, with the next
  // value each would hand out), plus on engines with free-standing sequences every sequence of
  // those tables' schemas that no column owns. Read-only.
  virtual Result<std::vector<KeyGenerator>> ReadKeyGenerators(
      const std::string& source_uri, const std::vector<TableName>& tables) const;
  // Moves every key generator of each floor's target table past the floor and past the table's
  // largest key value (never backwards: a generator already further stays), so the
  // application's first INSERT without a key gets a key above every existing one. Tables
  // without a generator are left alone (not in the result). Idempotent.
  virtual Result<std::vector<KeyGeneratorSet>> AdvanceKeyGenerators(
      const std::string& target_uri, const std::vector<KeyGeneratorFloor>& floors) const;
  // Makes the triggers a source of this engine defines on the task's tables (`tables`: each
  // target table with the source's triggers of its table) work on the target, as the last act
  // before the application writes there: a trigger cutover created disabled is enabled as the
  // source has it (PostgreSQL: ENABLE, ENABLE ALWAYS, ENABLE REPLICA; one disabled on the source
  // stays disabled), a missing one is created from its definition (MariaDB and SQLite, which
  // cannot keep a trigger from firing on replicated rows, get them only now). A trigger that is
  // there and enabled is left alone, so running it again changes nothing; triggers only the
  // target has are never touched. One outcome per trigger of `tables`; a trigger the target
  // refuses is an outcome with its problem, not an error. Default: none (no trigger carried).
  virtual Result<std::vector<TriggerOutcome>> EnableTargetTriggers(
      const std::string& target_uri, const std::vector<TableTriggers>& tables) const;
};

// The leading version number of a server's version text: "15.18 (Debian 15.18-0+deb12u1)" ->
// "15.18"; "10.11.6-MariaDB-0+deb12u2-log" -> "10.11.6".
std::string LeadingVersionNumber(std::string_view text);

}  // namespace cutover
