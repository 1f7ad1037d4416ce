// Fuzz target: the DMS task-file readers (engine/task/): table mappings and task settings that
// users copy from how-to articles. Any bytes must give a result or errors that each name the
// file, never a crash; a mapping that parses must answer selection and naming questions.
#include <string>

#include "engine/task/table_mapping.h"
#include "engine/task/task_settings.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    auto s = cutover::task::ParseTaskSettings(text, "fuzz.json");
    if (!s.ok() && s.status().message().rfind("fuzz.json: ", 0) != 0) __builtin_trap();
    return 0;
  }
  auto m = cutover::task::ParseTableMapping(text, "fuzz.json", nullptr);
  if (!m.ok()) {
    if (m.status().message().rfind("fuzz.json: ", 0) != 0) __builtin_trap();
    return 0;
  }
  cutover::TableName t{"myapp", "tmp_orders"};
  (void)m->Selects(t);
  (void)m->LoadOrder(t);
  (void)m->TargetName(t, t);
  (void)m->CheckSelectionsUsed();
  return 0;
}
