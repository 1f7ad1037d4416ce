// `cutover load`: a paced write workload on PostgreSQL, MariaDB or SQLite (loadgen/runner.h).
// Exit codes: 0 the run (or --init) completed, errors during the run included (they are
// counted and reported); 2 bad options or a setup error; 130 --init interrupted.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "cli/command.h"
#include "engine/core/log.h"
#include "engine/core/progress.h"
#include "loadgen/report.h"
#include "loadgen/runner.h"

namespace cutover::cli {
namespace {

class LoadCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& root) override {
    auto* app = root.add_subcommand(
        "load",
        "Put a paced write workload on PostgreSQL, MariaDB or SQLite (see docs/loadgen.md)");
    app->add_option("--target", uri_,
                    "Database URI: postgresql://..., mariadb://..., sqlite:///path/file.db")
        ->required();
    app->add_option("--workload", workload_, "What to write")
        ->check(CLI::IsMember({"oltp", "ecommerce", "bulk", "heartbeat"}))
        ->capture_default_str();
    app->add_flag("--init", init_, "Create and fill the workload's tables (drops them first)");
    app->add_option("--scale", scale_, "Size of the initial data (oltp: 100,000 accounts per unit)")
        ->check(CLI::Range(int64_t{1}, int64_t{100000}))
        ->capture_default_str();
    auto* rate = app->add_option("--rate", rate_,
                                 "Open loop: transactions per second on a Poisson timeline; "
                                 "latency is measured from each transaction's scheduled time")
                     ->check(CLI::Range(0.001, 1e7));
    auto* max = app->add_flag("--max", max_, "Closed loop: every client as fast as it can");
    rate->excludes(max);
    app->add_option("--duration", duration_, "Seconds to run")
        ->check(CLI::Range(0.1, 31.0 * 86400))
        ->capture_default_str();
    app->add_option("--clients", clients_, "Concurrent connections")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    app->add_option("--dist", dist_, "Key distribution: uniform, zipf:THETA, hotspot:FRACTION")
        ->capture_default_str();
    app->add_option("--mix", mix_, "ecommerce: weights of insert:update:delete")
        ->capture_default_str();
    app->add_option("--txn-size", txn_size_, "Operations per transaction")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    app->add_option("--rows", rows_, "bulk: rows updated by each operation")
        ->check(CLI::Range(int64_t{1}, int64_t{100000000}))
        ->capture_default_str();
    app->add_option("--seed", seed_, "Seed: the same seed gives the same operations")
        ->capture_default_str();
    app->add_option("--queue-depth", queue_depth_,
                    "Open loop: scheduled transactions that may wait for a free client; "
                    "later arrivals are skipped")
        ->check(CLI::Range(1, 10000000))
        ->capture_default_str();
    app->add_flag("--heartbeat", heartbeat_,
                  "Also update cutover_heartbeat every 100 ms (lag measurement)");
    app->add_flag("--json", json_,
                  "Print one JSON object per line on stdout: a sample every second, then the "
                  "summary");
    return app;
  }

  int Run(const GlobalOptions& global) override {
    loadgen::LoadOptions o;
    o.uri = uri_;
    o.workload = workload_;
    o.workload_options.scale = scale_;
    auto dist = loadgen::KeyDist::Parse(dist_);
    if (!dist.ok()) return Fail(dist.status());
    o.workload_options.dist = *dist;
    auto mix = loadgen::Mix::Parse(mix_);
    if (!mix.ok()) return Fail(mix.status());
    o.workload_options.mix = *mix;
    o.workload_options.txn_size = txn_size_;
    o.workload_options.rows = rows_;
    o.seed = seed_;
    o.heartbeat = heartbeat_;
    o.clients = clients_;
    o.queue_depth = queue_depth_;
    o.duration_s = duration_;
    o.max = max_;
    o.rate = rate_;

    Progress::Mode mode = global.quiet ? Progress::Mode::kQuiet : Progress::Mode::kAuto;
    if (init_) {
      Status st = loadgen::InitTables(o, mode);
      if (!st.ok()) return Fail(StopFlag().load() ? Aborted(st.message()) : st);
      return 0;
    }
    if (workload_ != "heartbeat" && !max_ && rate_ <= 0) {
      return Fail(InvalidArgument("load: give --rate TPS (open loop) or --max (closed loop)"));
    }
    const bool lines = Progress::ResolveMode(mode, isatty(STDERR_FILENO), std::getenv("CI")) ==
                       Progress::Mode::kTerminal;
    loadgen::LoadOutput out;
    out.on_sample = [&](const loadgen::LoadSample& s) {
      if (lines) std::fprintf(stderr, "%s\n", loadgen::FormatSampleLine(s).c_str());
      if (json_) {
        std::printf("%s\n", loadgen::SampleJson(s).dump().c_str());
        std::fflush(stdout);
      }
    };
    loadgen::LoadSummary summary;
    Status st = loadgen::RunLoad(o, StopFlag(), out, &summary);
    if (!st.ok()) return Fail(st);
    if (json_) {
      std::printf("%s\n", loadgen::SummaryJson(summary).dump().c_str());
      std::fflush(stdout);
    }
    if (!global.quiet) std::fprintf(stderr, "%s\n", loadgen::FormatSummary(summary).c_str());
    return 0;
  }

 private:
  std::string uri_, workload_ = "oltp", dist_ = "uniform", mix_ = "50:40:10";
  bool init_ = false, max_ = false, heartbeat_ = false, json_ = false;
  int64_t scale_ = 1, rows_ = 1000;
  double rate_ = 0, duration_ = 60;
  int clients_ = 4, txn_size_ = 1;
  size_t queue_depth_ = 1000;
  uint64_t seed_ = 1;
};

const CommandRegistration kRegistration([]() -> std::unique_ptr<Command> {
  return std::make_unique<LoadCommand>();
});

}  // namespace
}  // namespace cutover::cli
