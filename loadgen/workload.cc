#include "loadgen/workload.h"

#include <charconv>

#include <fmt/format.h>

namespace cutover::loadgen {

// Defined in the workloads' own files.
std::unique_ptr<Workload> MakeOltpWorkload(const WorkloadOptions& options);
std::unique_ptr<Workload> MakeEcommerceWorkload(const WorkloadOptions& options);
std::unique_ptr<Workload> MakeBulkWorkload(const WorkloadOptions& options);
std::unique_ptr<Workload> MakeHeartbeatWorkload(const WorkloadOptions& options);

Result<Mix> Mix::Parse(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return InvalidArgument("--mix '" + std::string(text) + "': " + std::string(why));
  };
  int parts[3];
  std::string_view rest = text;
  for (int i = 0; i < 3; ++i) {
    size_t colon = rest.find(':');
    if ((i < 2) != (colon != std::string_view::npos))
      return bad("expected three weights insert:update:delete, e.g. 50:40:10");
    std::string_view num = rest.substr(0, colon);
    auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), parts[i]);
    if (num.empty() || ec != std::errc() || ptr != num.data() + num.size() || parts[i] < 0 ||
        parts[i] > 1000000)
      return bad("'" + std::string(num) + "' is not a weight in 0-1000000");
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
  }
  if (parts[0] + parts[1] + parts[2] == 0) return bad("the weights add up to 0");
  return Mix{parts[0], parts[1], parts[2]};
}

std::string Mix::ToString() const {
  return fmt::format("{}:{}:{}", insert, update, del);
}

Result<std::unique_ptr<Workload>> MakeWorkload(std::string_view name,
                                               const WorkloadOptions& options) {
  if (name == "oltp") return MakeOltpWorkload(options);
  if (name == "ecommerce") return MakeEcommerceWorkload(options);
  if (name == "bulk") return MakeBulkWorkload(options);
  if (name == "heartbeat") return MakeHeartbeatWorkload(options);
  return InvalidArgument("--workload '" + std::string(name) +
                         "': expected oltp, ecommerce, bulk or heartbeat");
}

Status FillTable(Session& session, const TableDef& table, int64_t count,
                 const std::function<void(int64_t, std::vector<Value>&)>& make,
                 Progress& progress) {
  int64_t next = 1;
  RowSource rows = [&](std::vector<Value>& row) {
    if (next > count) return false;
    row.resize(table.columns.size());
    make(next++, row);
    return true;
  };
  Status st = session.BulkInsert(table, rows, [&](int64_t n) { progress.Add(n); });
  return st.WithContext("filling " + table.name);
}

std::string Words(Rng& rng, size_t length) {
  static constexpr std::string_view kWords[] = {
      "alpha",  "bravo",  "cargo",  "delta",   "engine", "falcon", "garden", "harbor",
      "island", "jungle", "kettle", "lantern", "meadow", "nickel", "orange", "pepper",
      "quartz", "river",  "saddle", "timber",  "umber",  "velvet", "walnut", "xenon",
      "yellow", "zephyr", "amber",  "basalt",  "cedar",  "dune",   "ember",  "fjord",
  };
  std::string out;
  out.reserve(length + 8);
  while (out.size() < length) {
    if (!out.empty()) out.push_back(' ');
    out += kWords[rng.Next() % std::size(kWords)];
  }
  out.resize(length);
  return out;
}

Value Money(int64_t cents) {
  const char* sign = cents < 0 ? "-" : "";
  int64_t a = cents < 0 ? -cents : cents;
  return Value::String(ValueKind::kDecimal, fmt::format("{}{}.{:02}", sign, a / 100, a % 100));
}

}  // namespace cutover::loadgen
