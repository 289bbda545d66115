// Backup and restore of a carbonx deployment: `carbonx backup` and `carbonx restore`.
//
// A backup is a directory:
//   manifest.json   format "carbonx-backup/1", when, which store, the journal tail it holds
//                   (seq, hash, blocks) and every file with its size and SHA-256
//   data/...        the data directory: keys, documents, the personal-data vault, configuration
//                   (carbonx.db and pii.db copied with SQLite's online backup API: a consistent
//                   copy while the server runs; the lock file is skipped)
//   db.pgdump       with a PostgreSQL store: `pg_dump --format=custom` of the database
//   extra/...       files named with --include (deployment configuration: nginx, env files)
// Backup verifies its own copy (`carbonx verify` on the copied journal) before it reports
// success, so a backup that says OK restores.
//
// Restore checks the manifest (every file's hash) before it writes anything, refuses a
// non-empty data directory (or database with a journal) unless `force`, copies the files
// back, and with `to_seq` cuts the journal after that seq: later events, the blocks that
// end after it and later snapshots are removed, so the server recovers the state as of that
// event. The restored journal is verified again; its tail is reported.
// Restoring to a point before a user's erasure brings that user's personal data back with the
// vault as it was then: the erasure must be repeated (docs/operations.md says so).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace cx::app {

struct BackupOptions {
  std::string data_dir;    // the server's --data
  std::string store_url;   // empty: SQLite under data_dir; postgres://...: that database
  std::string out_dir;     // created; must not exist or be empty
  std::vector<std::string> include;  // configuration files to keep beside the data
};

struct RestoreOptions {
  std::string from;        // a backup directory
  std::string data_dir;    // where to restore the data directory
  std::string store_url;   // PostgreSQL target (when the backup holds db.pgdump)
  std::optional<int64_t> to_seq;  // cut the journal after this seq
  bool force = false;      // overwrite a non-empty data directory / database
};

struct JournalPoint {
  int64_t last_seq = 0;
  std::string last_hash;  // hex
  int64_t events = 0;
  int64_t blocks = 0;
};

struct BackupReport {
  JournalPoint journal;
  int64_t files = 0;
  int64_t bytes = 0;
};

Result<BackupReport> Backup(const BackupOptions& o);
Result<JournalPoint> Restore(const RestoreOptions& o);

// `carbonx backup ...` / `carbonx restore ...` (argv[0] is the subcommand).
int RunBackupCli(int argc, char** argv);
int RunRestoreCli(int argc, char** argv);

}  // namespace cx::app
