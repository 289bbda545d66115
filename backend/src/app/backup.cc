// Backup and restore (backup.h). SQLite files are copied with the online backup API (one
// read transaction: a consistent image while the server appends); everything else in the
// data directory is copied file by file and hashed. PostgreSQL goes through pg_dump /
// pg_restore, run without a shell (arguments passed as a vector).
#include "app/backup.h"

#include <fcntl.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "core/sha256.h"
#include "engine/verify.h"
#include "store/pg_store.h"
#include "store/store.h"

extern char** environ;

namespace cx::app {
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr const char* kFormat = "carbonx-backup/1";

bool IsPostgres(const std::string& url) {
  return url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0;
}

bool IsSqliteFile(const fs::path& rel) {
  const std::string n = rel.filename().string();
  return n == "carbonx.db" || n == "pii.db";
}

// SQLite's side files and the lock are not data: the online copy already holds the WAL's
// committed pages.
bool Skip(const fs::path& rel) {
  const std::string n = rel.filename().string();
  return n == "carbonx.lock" || n.ends_with(".db-wal") || n.ends_with(".db-shm") || n.ends_with(".db-journal");
}

Result<std::string> FileSha256(const fs::path& p, int64_t& size) {
  std::ifstream f(p, std::ios::binary);
  if (!f) return Err(Code::kNotFound, "cannot read " + p.string(), "from");
  Sha256Hasher h;
  std::vector<char> buf(1 << 16);
  size = 0;
  while (f) {
    f.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto n = f.gcount();
    if (n <= 0) break;
    h.Update(std::string_view(buf.data(), static_cast<size_t>(n)));
    size += n;
  }
  return ToHex(h.Final());
}

Result<void> SqliteCopy(const fs::path& src, const fs::path& dst) {
  sqlite3* s = nullptr;
  sqlite3* d = nullptr;
  auto close = [&] {
    if (s) sqlite3_close(s);
    if (d) sqlite3_close(d);
  };
  if (sqlite3_open_v2(src.c_str(), &s, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    std::string m = s ? sqlite3_errmsg(s) : "out of memory";
    close();
    return Err(Code::kStorage, "open " + src.string() + ": " + m);
  }
  sqlite3_busy_timeout(s, 10000);
  if (sqlite3_open(dst.c_str(), &d) != SQLITE_OK) {
    close();
    return Err(Code::kStorage, "create " + dst.string());
  }
  sqlite3_backup* b = sqlite3_backup_init(d, "main", s, "main");
  if (!b) {
    std::string m = sqlite3_errmsg(d);
    close();
    return Err(Code::kStorage, "backup " + src.string() + ": " + m);
  }
  int rc = SQLITE_OK;
  // -1: every page in one step, inside one read transaction of the source.
  for (int tries = 0; tries < 100; ++tries) {
    rc = sqlite3_backup_step(b, -1);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  sqlite3_backup_finish(b);
  const bool ok = rc == SQLITE_DONE;
  std::string m = ok ? "" : sqlite3_errmsg(d);
  if (ok) {
    // A self-contained file: no WAL beside it.
    sqlite3_exec(d, "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr);
  }
  close();
  if (!ok) return Err(Code::kStorage, "backup " + src.string() + ": " + m);
  return {};
}

// Runs a program (no shell) and returns its exit status; stdout into *out when given.
Result<int> Run(const std::vector<std::string>& args, std::string* out = nullptr,
                const std::string& stdout_file = "") {
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));  // NOLINT: posix_spawn's API
  argv.push_back(nullptr);
  int pipefd[2] = {-1, -1};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (!stdout_file.empty()) {
    posix_spawn_file_actions_addopen(&fa, 1, stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  } else if (out) {
    if (::pipe(pipefd) != 0) return Err(Code::kInternal, "pipe");
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
    posix_spawn_file_actions_addclose(&fa, pipefd[0]);
  }
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (pipefd[1] >= 0) ::close(pipefd[1]);
  if (rc != 0) {
    if (pipefd[0] >= 0) ::close(pipefd[0]);
    return Err(Code::kNotFound, args[0] + " could not be started (is it installed?)");
  }
  if (out && pipefd[0] >= 0) {
    char buf[4096];
    ssize_t n = 0;
    while ((n = ::read(pipefd[0], buf, sizeof buf)) > 0) out->append(buf, static_cast<size_t>(n));
    ::close(pipefd[0]);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

// Opens the journal (an SQLite path or a postgres:// URL) and runs `carbonx verify` on it.
Result<JournalPoint> VerifyJournalAt(const std::string& where) {
  auto st = store::OpenStore(where);
  if (!st.ok()) return st.error();
  auto rep = engine::VerifyJournal(**st);
  if (!rep.ok)
    return Err(Code::kStorage, "journal in " + where + " does not verify at seq " +
                                      std::to_string(rep.first_bad_seq) + ": " + rep.message);
  auto tail = (*st)->ReadTail();
  if (!tail.ok()) return tail.error();
  return JournalPoint{tail->last_seq, ToHex(tail->last_hash), rep.events, rep.blocks};
}

// The journal tail of a PostgreSQL store, read with psql (the table layout is the Store's).
Result<JournalPoint> PgTail(const std::string& url) {
  std::string out;
  const std::string sql =
      "SELECT coalesce(max(seq),0), (SELECT count(*) FROM blocks), "
      "coalesce((SELECT encode(hash,'hex') FROM journal ORDER BY seq DESC LIMIT 1),'') FROM journal";
  CX_ASSIGN_OR_RETURN(int rc,
                      Run({"psql", "--no-psqlrc", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql}, &out));
  if (rc != 0) return Err(Code::kStorage, "psql could not read the journal of " + url);
  JournalPoint p;
  std::istringstream in(out);
  std::string seq, blocks, hash;
  std::getline(in, seq, '|');
  std::getline(in, blocks, '|');
  std::getline(in, hash);
  p.last_seq = std::stoll(seq.empty() ? "0" : seq);
  p.events = p.last_seq;
  p.blocks = std::stoll(blocks.empty() ? "0" : blocks);
  p.last_hash = hash;
  return p;
}

// Back to a single file (rollback journal mode, no -wal/-shm beside it).
Result<void> MakeSelfContained(const fs::path& db) {
  sqlite3* d = nullptr;
  if (sqlite3_open(db.c_str(), &d) != SQLITE_OK) {
    if (d) sqlite3_close(d);
    return Err(Code::kStorage, "open " + db.string());
  }
  const int rc = sqlite3_exec(d, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;", nullptr, nullptr, nullptr);
  sqlite3_close(d);
  if (rc != SQLITE_OK) return Err(Code::kStorage, "finishing the copy of " + db.string());
  std::error_code ec;
  fs::remove(db.string() + "-wal", ec);
  fs::remove(db.string() + "-shm", ec);
  return {};
}

Result<void> CutSqlite(const fs::path& db, int64_t seq) {
  sqlite3* d = nullptr;
  if (sqlite3_open(db.c_str(), &d) != SQLITE_OK) {
    if (d) sqlite3_close(d);
    return Err(Code::kStorage, "open " + db.string());
  }
  const std::string s = std::to_string(seq);
  const std::string sql = "BEGIN; DELETE FROM journal WHERE seq > " + s + "; DELETE FROM blocks WHERE last_seq > " +
                          s + "; DELETE FROM snapshots WHERE seq > " + s + "; COMMIT;";
  char* msg = nullptr;
  const int rc = sqlite3_exec(d, sql.c_str(), nullptr, nullptr, &msg);
  std::string m = msg ? msg : "";
  sqlite3_free(msg);
  sqlite3_close(d);
  if (rc != SQLITE_OK) return Err(Code::kStorage, "cutting the journal after seq " + s + ": " + m);
  return {};
}

Result<void> CutPostgres(const std::string& url, int64_t seq) {
  const std::string s = std::to_string(seq);
  CX_ASSIGN_OR_RETURN(int rc, Run({"psql", "--no-psqlrc", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c",
                                   "BEGIN; DELETE FROM journal WHERE seq > " + s +
                                       "; DELETE FROM trades WHERE seq > " + s +
                                       "; DELETE FROM blocks WHERE last_seq > " + s +
                                       "; DELETE FROM snapshots WHERE seq > " + s +
                                       "; UPDATE cx_lease SET last_seq = LEAST(last_seq, " + s + "); COMMIT;"}));
  if (rc != 0) return Err(Code::kStorage, "psql could not cut the journal after seq " + s);
  return {};
}

json::object PointJson(const JournalPoint& p) {
  return {{"last_seq", p.last_seq}, {"last_hash", p.last_hash}, {"events", p.events}, {"blocks", p.blocks}};
}

Result<void> CopyFileDurably(const fs::path& from, const fs::path& to) {
  fs::create_directories(to.parent_path());
  std::error_code ec;
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) return Err(Code::kStorage, "copy " + from.string() + ": " + ec.message());
  return {};
}

}  // namespace

Result<BackupReport> Backup(const BackupOptions& o) {
  const fs::path data(o.data_dir), out(o.out_dir);
  if (o.data_dir.empty() || !fs::is_directory(data)) return Err(Code::kInvalidField, "no data directory " + o.data_dir, "data");
  if (o.out_dir.empty()) return Err(Code::kInvalidField, "--out is required", "out");
  if (fs::exists(out) && !fs::is_empty(out))
    return Err(Code::kConflict, o.out_dir + " exists and is not empty: choose a new backup directory", "out");
  for (const auto& f : o.include)
    if (!fs::is_regular_file(f)) return Err(Code::kInvalidField, "--include " + f + " is not a file", "include");
  const bool pg = IsPostgres(o.store_url);
  if (!o.store_url.empty() && !pg) return Err(Code::kInvalidField, "--store must be a postgres:// URL", "store");
  fs::create_directories(out / "data");

  BackupReport rep;
  json::array files;
  auto add = [&](const fs::path& rel) -> Result<void> {
    int64_t size = 0;
    CX_ASSIGN_OR_RETURN(std::string h, FileSha256(out / rel, size));
    files.push_back(json::object{{"path", rel.generic_string()}, {"size", size}, {"sha256", h}});
    rep.files++;
    rep.bytes += size;
    return {};
  };
  // The database first: the files copied after it (documents, keys) are then at least as new
  // as what the journal refers to.
  if (pg) {
    CX_ASSIGN_OR_RETURN(rep.journal, VerifyJournalAt(o.store_url));
    CX_ASSIGN_OR_RETURN(int rc, Run({"pg_dump", "--format=custom", "--no-owner", "--dbname=" + o.store_url},
                                    nullptr, (out / "db.pgdump").string()));
    if (rc != 0) return Err(Code::kStorage, "pg_dump failed (exit " + std::to_string(rc) + ")", "store");
    CX_TRY(add("db.pgdump"));
  }
  for (auto it = fs::recursive_directory_iterator(data); it != fs::recursive_directory_iterator(); ++it) {
    if (!it->is_regular_file()) continue;
    const fs::path rel = fs::relative(it->path(), data);
    if (Skip(rel)) continue;
    const fs::path dst = out / "data" / rel;
    fs::create_directories(dst.parent_path());
    if (IsSqliteFile(rel)) {
      CX_TRY(SqliteCopy(it->path(), dst));
      if (rel == "carbonx.db") {
        // Verified before it is hashed: opening it as a store may touch its header.
        CX_ASSIGN_OR_RETURN(rep.journal, VerifyJournalAt(dst.string()));
        CX_TRY(MakeSelfContained(dst));
      }
    } else {
      CX_TRY(CopyFileDurably(it->path(), dst));
    }
    CX_TRY(add(fs::path("data") / rel));
  }
  for (const auto& f : o.include) {
    const fs::path rel = fs::path("extra") / fs::path(f).filename();
    CX_TRY(CopyFileDurably(f, out / rel));
    CX_TRY(add(rel));
  }
  if (!pg && !fs::exists(out / "data" / "carbonx.db"))
    return Err(Code::kNotFound, o.data_dir + " holds no journal (carbonx.db)", "data");
  json::object m{{"format", kFormat},
                 {"created", std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch()).count()},
                 {"store", pg ? "postgres" : "sqlite"},
                 {"journal", PointJson(rep.journal)},
                 {"files", std::move(files)}};
  std::ofstream mf(out / "manifest.json", std::ios::trunc);
  mf << json::serialize(m) << "\n";
  mf.close();
  if (!mf) return Err(Code::kStorage, "cannot write the manifest", "out");
  return rep;
}

Result<JournalPoint> Restore(const RestoreOptions& o) {
  const fs::path from(o.from), data(o.data_dir);
  std::ifstream mf(from / "manifest.json");
  if (!mf) return Err(Code::kNotFound, o.from + " holds no manifest.json: not a carbonx backup", "from");
  std::stringstream ss;
  ss << mf.rdbuf();
  boost::system::error_code ec;
  json::value mv = json::parse(ss.str(), ec);
  if (ec || !mv.is_object() || !mv.as_object().contains("format") || mv.at("format") != kFormat)
    return Err(Code::kInvalidField, "manifest.json is not a " + std::string(kFormat) + " manifest", "from");
  const auto& m = mv.as_object();
  const bool pg = m.contains("store") && m.at("store") == "postgres";
  if (pg && !IsPostgres(o.store_url))
    return Err(Code::kInvalidField, "this backup holds a PostgreSQL database: give --store postgres://...", "store");
  if (!pg && !o.store_url.empty())
    return Err(Code::kInvalidField, "this backup holds an SQLite journal: restore it with --data only", "store");
  const int64_t backup_seq = m.at("journal").at("last_seq").to_number<int64_t>();
  if (o.to_seq && (*o.to_seq < 0 || *o.to_seq > backup_seq))
    return Err(Code::kInvalidField,
               "--to-seq must be between 0 and " + std::to_string(backup_seq) + " (the backup's last seq)", "to_seq");
  // Every file must be intact before anything is written.
  for (const auto& fv : m.at("files").as_array()) {
    const auto& f = fv.as_object();
    const std::string rel(f.at("path").as_string());
    if (rel.find("..") != std::string::npos || fs::path(rel).is_absolute())
      return Err(Code::kInvalidField, "manifest names a path outside the backup: " + rel, "from");
    int64_t size = 0;
    auto h = FileSha256(from / rel, size);
    if (!h.ok()) return Err(Code::kNotFound, "backup file missing: " + rel, "from");
    if (*h != f.at("sha256").as_string() || size != f.at("size").to_number<int64_t>())
      return Err(Code::kConflict, "backup file damaged (hash differs): " + rel, "from");
  }
  if (fs::exists(data) && !fs::is_empty(data) && !o.force)
    return Err(Code::kConflict, o.data_dir + " is not empty: restore into an empty directory or pass --force", "data");
  if (pg && !o.force) {
    auto tail = PgTail(o.store_url);
    if (tail.ok() && tail->last_seq > 0)
      return Err(Code::kConflict, "the database already holds a journal: pass --force to replace it", "store");
  }
  if (o.force && fs::exists(data)) {
    for (const auto& e : fs::directory_iterator(data)) fs::remove_all(e.path());
  }
  fs::create_directories(data);
  for (const auto& fv : m.at("files").as_array()) {
    const std::string rel(fv.at("path").as_string());
    if (rel.rfind("data/", 0) != 0) continue;
    CX_TRY(CopyFileDurably(from / rel, data / rel.substr(5)));
  }
  if (pg) {
    CX_ASSIGN_OR_RETURN(int rc, Run({"pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                                     "--dbname=" + o.store_url, (from / "db.pgdump").string()}));
    if (rc != 0) return Err(Code::kStorage, "pg_restore failed (exit " + std::to_string(rc) + ")", "store");
    if (o.to_seq) CX_TRY(CutPostgres(o.store_url, *o.to_seq));
    return VerifyJournalAt(o.store_url);
  }
  const fs::path db = data / "carbonx.db";
  if (o.to_seq) CX_TRY(CutSqlite(db, *o.to_seq));
  return VerifyJournalAt(db.string());
}

namespace {
void PrintPoint(const JournalPoint& p) {
  std::cout << "journal: last seq " << p.last_seq << ", " << p.blocks << " blocks, last hash " << p.last_hash << "\n";
}
}  // namespace

int RunBackupCli(int argc, char** argv) {
  CLI::App app{"carbonx backup: a consistent copy of the journal, keys, documents and configuration"};
  BackupOptions o;
  o.data_dir = "var";
  app.add_option("--data", o.data_dir, "data directory of the server")->capture_default_str();
  app.add_option("--store", o.store_url, "PostgreSQL store URL (postgres://...) when the journal lives there");
  app.add_option("--out", o.out_dir, "backup directory to create")->required();
  app.add_option("--include", o.include, "a configuration file to keep with the backup (repeatable)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  auto r = Backup(o);
  if (!r.ok()) {
    std::cerr << "carbonx backup: " << CodeName(r.error().code) << ": " << r.error().message << "\n";
    return 1;
  }
  std::cout << "backup written to " << o.out_dir << ": " << r->files << " files, " << r->bytes << " bytes; verified\n";
  PrintPoint(r->journal);
  return 0;
}

int RunRestoreCli(int argc, char** argv) {
  CLI::App app{"carbonx restore: put a backup back (optionally only up to a journal seq)"};
  RestoreOptions o;
  int64_t to_seq = -1;
  app.add_option("--from", o.from, "backup directory")->required();
  app.add_option("--data", o.data_dir, "data directory to restore into")->required();
  app.add_option("--store", o.store_url, "PostgreSQL store URL to restore the database into");
  app.add_option("--to-seq", to_seq, "keep the journal only up to this seq (point-in-time restore)");
  app.add_flag("--force", o.force, "replace a non-empty data directory / database");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (to_seq >= 0) o.to_seq = to_seq;
  auto r = Restore(o);
  if (!r.ok()) {
    std::cerr << "carbonx restore: " << CodeName(r.error().code) << ": " << r.error().message << "\n";
    return 1;
  }
  std::cout << "restored into " << o.data_dir << "; verified\n";
  PrintPoint(*r);
  return 0;
}

}  // namespace cx::app
