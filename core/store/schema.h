#pragma once


namespace fg {

class SqliteDb;

// Current schema version, kept in PRAGMA user_version.
constexpr int kSchemaVersion = 13;

// Brings a database to kSchemaVersion, one migration step per version, each in its own transaction.
// Throws SqliteError; refuses a database written by a newer FlowGuard.
void migrateSchema(SqliteDb &db);

} // namespace fg
