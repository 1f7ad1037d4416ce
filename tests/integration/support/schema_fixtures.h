// Sakila- and chinook-shaped schemas for the schema-object tests (tests/integration/
// schema_objects_test.cc), written for this project: the shapes of the public sample databases
// (serial / AUTO_INCREMENT keys, an enum and a domain, secondary and unique indexes, a partial and
// an expression index, prefix and full-text indexes on MariaDB, foreign keys with CASCADE / SET
// NULL / RESTRICT, CURRENT_TIMESTAMP defaults and ON UPDATE, CHECK constraints, a view, a
// function and a trigger), with a few rows each.
#pragma once

namespace cutover::testing {

// PostgreSQL, schema public: enum mpaa_rating, domain year; tables language, actor, film,
// film_actor, customer, payment (sakila) and artist, album, track (chinook); view actor_names;
// function touch_last_update() and trigger actor_touch on actor.
extern const char* const kPgSakilaSchema;
extern const char* const kPgSakilaRows;

// MariaDB: the same tables in MariaDB's own terms (AUTO_INCREMENT, ENUM, ON UPDATE
// CURRENT_TIMESTAMP, a prefix index, a FULLTEXT index); view actor_names; trigger actor_touch.
extern const char* const kMariaSakilaSchema;
extern const char* const kMariaSakilaRows;

// SQLite: the same shapes in SQLite's terms (INTEGER PRIMARY KEY rowid keys, AUTOINCREMENT,
// column and table CHECKs, REFERENCES with actions, a UNIQUE column, a partial and an expression
// index, CURRENT_TIMESTAMP defaults, a generated column); tables language, actor, film,
// film_actor, customer, payment, artist, album; view actor_names; trigger actor_touch. The
// AUTOINCREMENT of language is one past its largest key (a deleted row).
extern const char* const kSqliteSakilaSchema;
extern const char* const kSqliteSakilaRows;

}  // namespace cutover::testing
