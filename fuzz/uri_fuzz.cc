// Fuzz target: URI handling (engine/core/uri.h, engine/registry): engine detection and password
// redaction, which see every URI a user types and guard every log line. The password of a URI must
// never survive redaction.
#include <string>

#include "engine/core/uri.h"
#include "engine/registry/registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string uri(reinterpret_cast<const char*>(data), size);
  (void)cutover::EngineForUri(uri, "--source");
  std::string redacted = cutover::RedactUri(uri);
  std::string password = cutover::PasswordOfUri(uri);
  // A password that occurs once in the URI must be gone after redaction. (One holding '*' could
  // be rebuilt from the "***" mask itself, a false alarm.)
  if (password.size() >= 4 && password.find('*') == std::string::npos &&
      uri.find(password) == uri.rfind(password) && redacted.find(password) != std::string::npos)
    __builtin_trap();
  return 0;
}
