// Personal-data vault (GDPR): personal fields never enter the journal in clear.
//
// Each "subject" (a user; KYC cases use their user's subject) has one random 256-bit data
// key. Personal fields are sealed with it (AES-256-GCM) and only the sealed bytes go into
// commands, events, the journal and snapshots. The data keys live in a small SQLite file
// (DIR/pii.db, PRAGMA secure_delete=ON, rollback journal, synchronous=FULL), each wrapped
// (AES-256-GCM) by the master key: $CX_PII_MASTER_KEY (64 hex digits) or DIR/pii.key
// (created once, mode 0600). Erasure = Shred: the subject's key row is deleted, so every
// sealed copy of its data (journal, snapshots, backups) can no longer be opened
// ("crypto-shredding").
//
// Formats:
//   key id     = 32 lowercase hex digits (128 random bits)
//   wrapped    = nonce(12) || AES-256-GCM(master, nonce, data key, aad "cx-pii-dek-v1|" + id) || tag(16)
//   sealed     = 0x01 || nonce(12) || AES-256-GCM(data key, nonce, plaintext, aad "cx-pii-v1|" + id) || tag(16)
//   email index = hex HMAC-SHA256(pepper, lower-cased email), pepper = HMAC-SHA256(master,
//                "cx-pii-email-index-v1"): lets the engine enforce unique emails and the
//                login find a user without the email in clear. (An index is a pseudonym,
//                not anonymous: whoever holds the master key can test a guessed email.)
//
// Backends: the key table lives either in that SQLite file or, when the server runs on
// PostgreSQL (--store postgres://...), in table pii_keys of the same database (created by
// the store's migrations), so every node of a cluster shares it. The master key stays a
// per-deployment secret outside the database in both cases. PostgreSQL specifics: a key
// created by another node is fetched by id on first use (one indexed lookup, then cached);
// a key shredded by another node leaves this process's memory when this node's engine
// applies the erasure (ObserveErasures: Forget), and is never fetched again here (the
// user is shown erased everywhere at once anyway: PersonOf checks User::erased first);
// deleted rows leave PostgreSQL's files only at VACUUM (run after each Shred) and its WAL
// only when the WAL is recycled, where SQLite's secure_delete zeroes them at once.
//
// Durability: NewSubject and Shred return only after the SQLite commit (fsync) or the
// PostgreSQL commit (synchronous_commit=on).
// Errors: kNotFound (no such key: never created or shredded), kDocDecryptFailed (closest existing code; wrong key
// id, altered bytes, wrong master key), kInvalidField (malformed id / sealed bytes),
// kIo (the database).
// Thread-safe: one connection behind a mutex; unwrapped data keys are cached in memory
// (dropped on Shred).
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/result.h"

namespace cx::registry {
struct User;
}

namespace cx::app {

using PiiKey = std::array<uint8_t, 32>;
inline constexpr char kPiiMasterKeyEnv[] = "CX_PII_MASTER_KEY";

// What app code may show about a user (resolved from User::pii).
struct Person {
  std::string email;         // lower case; empty for wallet-only users and erased users
  std::string display_name;  // "erased user #<id>" once erased
  std::string password_hash; // argon2id PHC string; empty for wallet-only users
  bool erased = false;
  bool ok = false;  // false: could not be opened (shredded key, altered bytes)
};

class PiiVault {
 public:
  // Opens (creating if needed) `db_path` with the given master key.
  static Result<std::unique_ptr<PiiVault>> Open(const std::string& db_path, const PiiKey& master);
  // DIR/pii.db with $CX_PII_MASTER_KEY or DIR/pii.key (created once, mode 0600).
  static Result<std::unique_ptr<PiiVault>> OpenDir(const std::string& dir);
  // The key table in PostgreSQL at `url` (table pii_keys), with the given master key.
  static Result<std::unique_ptr<PiiVault>> OpenPostgres(const std::string& url, const PiiKey& master);
  // The master key as OpenDir finds it ($CX_PII_MASTER_KEY or DIR/pii.key); the key table
  // in PostgreSQL when `store` is a postgres:// URL, else DIR/pii.db (= OpenDir(dir)).
  static Result<std::unique_ptr<PiiVault>> OpenFor(const std::string& dir, const std::string& store);
  ~PiiVault();
  PiiVault(const PiiVault&) = delete;
  PiiVault& operator=(const PiiVault&) = delete;

  Result<std::string> NewSubject();
  Result<std::string> Seal(std::string_view key_id, std::string_view plaintext);
  Result<std::string> Unseal(std::string_view key_id, std::string_view sealed);
  Result<void> Shred(std::string_view key_id);
  // Drops the key from this process's memory (zeroed) and refuses to load it again, without
  // touching the key table: another node shreds it (cluster followers; ObserveErasures).
  void Forget(std::string_view key_id);
  // Does the key exist (not shredded)?
  Result<bool> Has(std::string_view key_id);
  // Number of live subjects (tests, metrics).
  Result<int64_t> Count();

  // Hex HMAC of the trimmed, lower-cased email (see the header comment).
  std::string EmailIndex(std::string_view email) const;
  static std::string NormalizeEmail(std::string_view email);

  // Personal fields of a user as JSON: {"email","display_name","password_hash"}.
  Result<std::string> SealPerson(std::string_view key_id, const std::string& email,
                                 const std::string& display_name, const std::string& password_hash);
  // Resolver for app code (any thread, also the engine thread inside a query: memory and
  // AES only, never the file, never waiting for a write). Erased users resolve to
  // {display_name "erased user #id", erased}.
  Person PersonOf(const registry::User& u);

 private:
  PiiVault() = default;
  Result<PiiKey> DataKey(std::string_view key_id);  // mu_ held; memory only
  void DropFromMemory(const std::string& id);       // mu_ held: the key (zeroed), its wrap, people
  struct Impl;
  struct SqliteTable;
  struct PgTable;
  static Result<std::unique_ptr<PiiVault>> OpenWith(std::unique_ptr<Impl> impl, const PiiKey& master);
  // The key table (SQLite file or PostgreSQL): written under db_mu_, read in full once at
  // open; PostgreSQL is also asked for one id on a cache miss (its own lock, under mu_).
  std::unique_ptr<Impl> impl_;
  PiiKey master_{};
  PiiKey pepper_{};
  // Two locks so that the engine thread, which resolves people inside queries, never waits
  // for a disk write: db_mu_ serialises writes to the file (taken first, never under mu_);
  // mu_ guards the in-memory maps, which are the vault's live view (every wrapped key is
  // loaded at Open; NewSubject adds after its durable insert, Shred removes before its delete).
  std::mutex db_mu_;
  std::mutex mu_;
  std::unordered_map<std::string, std::string> wrapped_;  // key id -> wrapped data key; mu_
  std::unordered_map<std::string, PiiKey> keys_;  // cache of unwrapped data keys; mu_
  struct Cached {
    std::string pii_key;
    size_t pii_size = 0;
    Person person;
  };
  std::unordered_map<int64_t, Cached> people_;  // user id -> resolved; mu_
  std::unordered_set<std::string> forgotten_;     // Forget()-ed ids: never loaded again; mu_
};

// AES-256-GCM helpers (exposed for tests): nonce(12) || ct || tag(16).
std::string PiiGcmSeal(const PiiKey& key, std::string_view aad, std::string_view plain);
Result<std::string> PiiGcmOpen(const PiiKey& key, std::string_view aad, std::string_view sealed);

}  // namespace cx::app
