// `cutover binlog`: print a source's change log as cutover decodes it, through the engine's
// driver (EngineDriver::DumpChangeLog; today MariaDB's binlog, engine/mariadb/maria_binlog_dump.h)
// one line per event, optionally with the decoded rows. For humans (what does the stream look like,
// where does a transaction end, which Values does the decoder give) and for the decoder benchmark
// (bench/macro/maria_binlog_decode.sh:
// --until-end --stats reads a backlog to the current end and prints counts and the rate).
// Exit codes: 0 done (count reached, end reached, or SIGINT/SIGTERM); 2 error.
#include <string>
#include <vector>

#include "cli/command.h"
#include "engine/registry/registry.h"

namespace cutover::cli {
namespace {

class BinlogCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& root) override {
    auto* cmd = root.add_subcommand(
        "binlog", "Print a MariaDB binlog as cutover decodes it (one line per event)");
    cmd->add_option("--source", uri_, "MariaDB URI, mariadb://user:pass@host:port/db")->required();
    cmd->add_option("--from", from_,
                    "Start position FILE:OFFSET (default: the current end of the binlog)");
    cmd->add_option("--gtid", gtid_, "Start after this GTID state (d-s-n[,...]) instead of --from");
    cmd->add_option("--tables", tables_,
                    "Decode rows only of tables matching db.table ('%' wildcard; repeatable)");
    cmd->add_flag("--rows", rows_, "Print every decoded row image");
    cmd->add_flag("--until-end", until_end_,
                  "Stop at the end of the binlog as it was when the command started");
    cmd->add_option("--until", until_,
                    "Stop once the stream reaches position FILE:OFFSET (an event boundary)");
    cmd->add_option("--count", count_, "Stop after this many events (0: no limit)")
        ->check(CLI::Range(int64_t{0}, int64_t{1} << 62));
    cmd->add_flag("--stats", stats_,
                  "Print only a summary at the end: events, rows, seconds, rows/s");
    cmd->add_option("--server-id", server_id_, "Replica server id of the dump connection")
        ->check(CLI::Range(1u, 4294967295u))
        ->capture_default_str();
    cmd->add_option("--heartbeat-ms", heartbeat_ms_, "Heartbeat period of an idle stream")
        ->check(CLI::Range(0, 3600000))
        ->capture_default_str();
    return cmd;
  }

  int Run(const GlobalOptions&) override {
    auto driver = EngineForUri(uri_, "--source");
    if (!driver.ok()) return Fail(driver.status());
    ChangeLogDumpRequest req;
    req.uri = uri_;
    req.from = from_;
    req.gtid = gtid_;
    req.until = until_;
    req.until_end = until_end_;
    req.tables = tables_;
    req.rows = rows_;
    req.stats = stats_;
    req.count = count_;
    req.server_id = server_id_;
    req.heartbeat_ms = heartbeat_ms_;
    req.stop = &StopFlag();
    if (Status st = (*driver)->DumpChangeLog(req); !st.ok()) return Fail(st);
    return 0;
  }

 private:
  std::string uri_, from_, gtid_, until_;
  std::vector<std::string> tables_;
  bool rows_ = false, until_end_ = false, stats_ = false;
  int64_t count_ = 0;
  uint32_t server_id_ = 4023;
  int heartbeat_ms_ = 1000;
};

const CommandRegistration kRegistration([]() -> std::unique_ptr<Command> {
  return std::make_unique<BinlogCommand>();
});

}  // namespace
}  // namespace cutover::cli
