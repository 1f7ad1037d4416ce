// SQLite types: the value codec (sqlite_codec.h: declared types, affinity, decoding stored
// values, temporal text) and the target column plan and binding (sqlite_target_types.h). Kept so
// that existing includers need not change; new code includes the header it needs.
#pragma once

#include "engine/sqlite/sqlite_codec.h"
#include "engine/sqlite/sqlite_target_types.h"
