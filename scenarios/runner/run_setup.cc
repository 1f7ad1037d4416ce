// Run, setup: output directory, throwaway servers, fault proxies, the dataset (run_internal.h).
#include <random>

#include "scenarios/runner/run_internal.h"

namespace cutover::scenario {

Status Run::Prepare() {
  dir_ = opt_.out_dir.empty() ? "reports/out/" + UtcStamp("%Y%m%dT%H%M%SZ") + "-" + sc_.name
                              : opt_.out_dir;
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return InvalidArgument("--out " + dir_ + ": " + ec.message());
  dir_ = fs::absolute(dir_).lexically_normal().string();
  record_.started_at = UtcStamp("%Y-%m-%dT%H:%M:%SZ");
  Log(LogLevel::kInfo, "scenario {}: output in {}", sc_.name, dir_);

  RETURN_IF_ERROR(OpenEndpoint(sc_.source, "source", source_));
  if (stop_) return Aborted("interrupted while starting servers");
  RETURN_IF_ERROR(OpenEndpoint(sc_.target, "target", target_));
  if (stop_) return Aborted("interrupted while starting servers");
  record_.source_uri = RedactUri(source_.uri);
  record_.target_uri = RedactUri(target_.uri);
  auto sv = sc_.source.engine->ServerVersion(source_.uri);
  record_.version_source = sv.ok() ? *sv : "unknown (" + sv.status().message() + ")";
  auto tv = sc_.target.engine->ServerVersion(target_.uri);
  record_.version_target = tv.ok() ? *tv : "unknown (" + tv.status().message() + ")";
  RETURN_IF_ERROR(StartProxy(Side::kSource, source_));
  RETURN_IF_ERROR(StartProxy(Side::kTarget, target_));

  if (!sc_.source.throwaway() || !sc_.target.throwaway()) DropTask();  // a previous run's
  RETURN_IF_ERROR(CreateDataset());
  return Status::Ok();
}

Status Run::OpenEndpoint(const EndpointSpec& spec, const char* role, Endpoint& ep) {
  if (!spec.throwaway()) {
    ep.uri = spec.uri;
  } else if (spec.store == "s3") {
    // An S3-compatible server on loopback, its objects under <out>/<role>-s3/data. The run's
    // environment points the engine, the lag probe and the validation at it. The prefix is new
    // for every run: the task's spool folder is named by the target URI.
    harness::S3ServerOptions o;
    o.dir = dir_ + "/" + role + "-s3";
    std::error_code ec;
    fs::remove_all(o.dir, ec);
    o.bucket = "lake";
    o.access_key = "AKIACUTOVERSCENARIO";
    std::random_device rd;
    o.secret = fmt::format("{:08x}{:08x}{:08x}", rd(), rd(), rd());
    Log(LogLevel::kInfo, "starting a throwaway S3-compatible {} server (tests/s3_server)", role);
    ASSIGN_OR_RETURN(ep.s3, harness::ThrowawayS3Server::Start(o));
    for (const auto& [name, value] : ep.s3->ClientEnvironment())
      ::setenv(name.c_str(), value.c_str(), 1);
    ::unsetenv("AWS_ENDPOINT_URL_S3");
    ::unsetenv("AWS_SESSION_TOKEN");
    ep.uri = fmt::format("s3://lake/{}-{}-{}", sc_.name, UtcStamp("%Y%m%dT%H%M%SZ"), ep.s3->port());
  } else if (spec.engine->throwaway_server().empty()) {  // a file engine
    // A file engine's database, or a file target's folder.
    std::string path =
        dir_ + "/" + role + (spec.engine->capabilities().append_only ? "-files" : ".db");
    std::error_code ec;
    fs::remove_all(path, ec);
    ep.uri = spec.engine->FileUri(path);
  } else {
    Log(LogLevel::kInfo, "starting a throwaway {} {} server", spec.engine->name(), role);
    ASSIGN_OR_RETURN(ep.server, harness::ThrowawayServer::Start(spec.engine->throwaway_server(),
                                                                sc_.name + "-" + role));
    ep.uri = ep.server->uri();
  }
  ep.engine_uri = ep.uri;
  return Status::Ok();
}

Status Run::StartProxy(Side side, Endpoint& ep) {
  if (!sc_.needs_proxy(side)) return Status::Ok();
  ASSIGN_OR_RETURN(HostPort hp, HostPortOfUri(ep.uri));
  ASSIGN_OR_RETURN(ep.proxy, proxy::FaultProxy::Start(hp.host, hp.port));
  ASSIGN_OR_RETURN(ep.engine_uri, UriWithPort(ep.uri, ep.proxy->port()));
  Log(LogLevel::kInfo, "fault proxy for the {}: 127.0.0.1:{} -> {}:{}", SideName(side),
      ep.proxy->port(), hp.host, hp.port);
  return Status::Ok();
}

void Run::DropTask() {
  std::string log = dir_ + "/engine.log";
  auto child = ChildProcess::Spawn({Binary(), "-q", "task", "drop", "--source", source_.uri,
                                    "--target", target_.uri, "--task", sc_.task.name},
                                   log);
  if (child.ok()) (*child)->Wait(std::chrono::seconds(60));
}

std::string Run::Binary() const {
  if (!opt_.binary.empty()) return opt_.binary;
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? "/proc/self/exe" : p.string();
}

Status Run::CreateDataset() {
  loadgen::LoadOptions o;
  o.uri = source_.uri;
  o.workload = sc_.dataset.workload.empty() ? "heartbeat" : sc_.dataset.workload;
  o.heartbeat = true;
  o.workload_options.scale = sc_.dataset.scale;
  ASSIGN_OR_RETURN(o.workload_options.dist, loadgen::KeyDist::Parse(sc_.dataset.dist));
  Log(LogLevel::kInfo, "dataset: {} (scale {}) on the source", o.workload, sc_.dataset.scale);
  RETURN_IF_ERROR(loadgen::InitTables(o, opt_.progress).WithContext("dataset"));
  for (size_t i = 0; i < sc_.dataset.sql.size(); ++i) {
    ASSIGN_OR_RETURN(auto session, OpenLoadSession(source_.uri));
    RETURN_IF_ERROR(session->Exec(sc_.dataset.sql[i])
                        .WithContext("dataset sql file " + sc_.dataset.sql_files[i]));
  }
  return Status::Ok();
}

}  // namespace cutover::scenario
