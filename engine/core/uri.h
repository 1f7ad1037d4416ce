// Endpoint URIs: their printable (password-free) form. Which engine a URI names is the engine
// registry's business (engine/registry/registry.h, EngineForUri).
//
// Secrets never leave this file in clear: every message, log line and report that mentions an
// endpoint uses RedactUri(). Engine-specific parsing stays with the engine (libpq parses
// PostgreSQL URIs itself, so sslmode and the other parameters keep working).
#pragma once

#include <string>
#include <string_view>

#include "engine/core/status.h"

namespace cutover {

// The URI with any password replaced by "***": in the user-info part (user:secret@host) and in a
// `password=` query parameter.
std::string RedactUri(std::string_view uri);

// Replaces every occurrence of `secret` (if non-empty) in `text` by "***".
std::string RedactSecret(std::string text, std::string_view secret);

// The password in a URI's user-info part, or "" (used to scrub messages of C libraries).
std::string PasswordOfUri(std::string_view uri);

}  // namespace cutover
