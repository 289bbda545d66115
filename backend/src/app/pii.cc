#include "app/pii.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "auth/mac.h"
#include "auth/random.h"
#include "core/sha256.h"
#include "registry/model.h"
#include "store/migrations.h"
#include "store/pg_conn.h"
#include "store/pg_queries.h"
#include "store/pg_store.h"

namespace cx::app {
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

constexpr size_t kNonce = 12;
constexpr size_t kTag = 16;
constexpr uint8_t kSealVersion = 1;

struct CipherCtx {
  EVP_CIPHER_CTX* p = EVP_CIPHER_CTX_new();
  CipherCtx() = default;
  CipherCtx(const CipherCtx&) = delete;
  CipherCtx& operator=(const CipherCtx&) = delete;
  ~CipherCtx() { EVP_CIPHER_CTX_free(p); }
};

const unsigned char* U(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

bool ValidKeyId(std::string_view id) {
  return id.size() == 32 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

Result<PiiKey> KeyFromHex(std::string_view hex) {
  std::string h;
  for (char c : hex)
    if (!std::isspace(static_cast<unsigned char>(c))) h.push_back(c);
  if (h.size() != 64) return Err(Code::kInvalidField, "the PII master key must be 64 hex digits", "pii_master_key");
  PiiKey k{};
  for (size_t i = 0; i < 32; ++i) {
    unsigned v = 0;
    for (size_t j = 0; j < 2; ++j) {
      char c = static_cast<char>(std::tolower(static_cast<unsigned char>(h[i * 2 + j])));
      unsigned d = 0;
      if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
      else return Err(Code::kInvalidField, "the PII master key must be 64 hex digits", "pii_master_key");
      v = v * 16 + d;
    }
    k[i] = static_cast<uint8_t>(v);
  }
  return k;
}

std::string_view AsView(const PiiKey& k) { return {reinterpret_cast<const char*>(k.data()), k.size()}; }

Error SqlErr(sqlite3* db, const char* what) {
  return Err(Code::kIo, std::string("pii vault: ") + what + ": " + (db ? sqlite3_errmsg(db) : "open failed"));
}

}  // namespace

std::string PiiGcmSeal(const PiiKey& key, std::string_view aad, std::string_view plain) {
  std::string out(kNonce + plain.size() + kTag, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  auth::SecureRandom(o, kNonce);
  CipherCtx c;
  int len = 0;
  EVP_EncryptInit_ex(c.p, EVP_aes_256_gcm(), nullptr, nullptr, nullptr);
  EVP_CIPHER_CTX_ctrl(c.p, EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kNonce), nullptr);
  EVP_EncryptInit_ex(c.p, nullptr, nullptr, key.data(), o);
  EVP_EncryptUpdate(c.p, nullptr, &len, U(aad), static_cast<int>(aad.size()));
  EVP_EncryptUpdate(c.p, o + kNonce, &len, U(plain), static_cast<int>(plain.size()));
  EVP_EncryptFinal_ex(c.p, o + kNonce + len, &len);
  EVP_CIPHER_CTX_ctrl(c.p, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTag), o + kNonce + plain.size());
  return out;
}

Result<std::string> PiiGcmOpen(const PiiKey& key, std::string_view aad, std::string_view sealed) {
  if (sealed.size() < kNonce + kTag) return Err(Code::kInvalidField, "sealed data too short", "pii");
  size_t n = sealed.size() - kNonce - kTag;
  std::string out(n, '\0');
  CipherCtx c;
  int len = 0;
  std::string tag(sealed.substr(kNonce + n));
  EVP_DecryptInit_ex(c.p, EVP_aes_256_gcm(), nullptr, nullptr, nullptr);
  EVP_CIPHER_CTX_ctrl(c.p, EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kNonce), nullptr);
  EVP_DecryptInit_ex(c.p, nullptr, nullptr, key.data(), U(sealed));
  EVP_DecryptUpdate(c.p, nullptr, &len, U(aad), static_cast<int>(aad.size()));
  EVP_DecryptUpdate(c.p, reinterpret_cast<unsigned char*>(out.data()), &len, U(sealed) + kNonce, static_cast<int>(n));
  EVP_CIPHER_CTX_ctrl(c.p, EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTag), tag.data());
  if (EVP_DecryptFinal_ex(c.p, reinterpret_cast<unsigned char*>(out.data()) + len, &len) != 1)
    return Err(Code::kDocDecryptFailed, "personal data could not be opened (wrong key or altered bytes)", "pii");
  return out;
}

// The key table behind the vault. Insert/Delete/LoadAll are called under db_mu_; Get
// (shared backends only) under mu_, so it must not take db_mu_ (it has its own lock).
struct PiiVault::Impl {
  virtual ~Impl() = default;
  virtual Result<void> Insert(const std::string& id, const std::string& wrapped) = 0;
  virtual Result<void> Delete(const std::string& id) = 0;
  virtual Result<std::vector<std::pair<std::string, std::string>>> LoadAll() = 0;
  // Shared (PostgreSQL) backends: a key another node created after we loaded.
  virtual Result<std::optional<std::string>> Get(const std::string& id) { return std::optional<std::string>(); }
};

struct PiiVault::SqliteTable final : PiiVault::Impl {
  sqlite3* db = nullptr;
  ~SqliteTable() override { sqlite3_close(db); }
  Result<void> Exec(const char* sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
      std::string m = msg ? msg : "error";
      sqlite3_free(msg);
      return Err(Code::kIo, std::string("pii vault: ") + m);
    }
    return Ok();
  }
  Result<void> Open(const std::string& db_path) {
    if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) !=
        SQLITE_OK)
      return SqlErr(db, "open");
    ::chmod(db_path.c_str(), 0600);
    // secure_delete: a deleted key's bytes are overwritten with zeros in the file; a
    // rollback journal (not WAL) so no old page copy outlives the commit in a -wal file.
    return Exec("PRAGMA secure_delete=ON; PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL;"
                "CREATE TABLE IF NOT EXISTS pii_keys(id TEXT PRIMARY KEY, wrapped BLOB NOT NULL,"
                " created INTEGER NOT NULL);");
  }
  Result<void> Insert(const std::string& id, const std::string& wrapped) override {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "INSERT INTO pii_keys(id, wrapped, created) VALUES(?, ?, strftime('%s','now'))", -1, &st,
                           nullptr) != SQLITE_OK)
      return SqlErr(db, "prepare");
    sqlite3_bind_text(st, 1, id.data(), static_cast<int>(id.size()), SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 2, wrapped.data(), static_cast<int>(wrapped.size()), SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return SqlErr(db, "insert");
    return Ok();
  }
  Result<void> Delete(const std::string& id) override {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "DELETE FROM pii_keys WHERE id = ?", -1, &st, nullptr) != SQLITE_OK)
      return SqlErr(db, "prepare");
    sqlite3_bind_text(st, 1, id.data(), static_cast<int>(id.size()), SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return SqlErr(db, "delete");
    return Ok();
  }
  Result<std::vector<std::pair<std::string, std::string>>> LoadAll() override {
    std::vector<std::pair<std::string, std::string>> out;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT id, wrapped FROM pii_keys", -1, &st, nullptr) != SQLITE_OK)
      return SqlErr(db, "prepare");
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      out.emplace_back(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)),
                                   static_cast<size_t>(sqlite3_column_bytes(st, 0))),
                       std::string(static_cast<const char*>(sqlite3_column_blob(st, 1)),
                                   static_cast<size_t>(sqlite3_column_bytes(st, 1))));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return SqlErr(db, "select");
    return out;
  }
};

// PostgreSQL: table pii_keys of the store's database (store/migrations.cc, step 4).
struct PiiVault::PgTable final : PiiVault::Impl {
  std::unique_ptr<store::PgConn> write;  // under db_mu_
  std::mutex read_mu;
  std::unique_ptr<store::PgConn> read;   // cache-miss lookups, under read_mu
  static Error Io(const Error& e) { return Err(Code::kIo, "pii vault: " + e.message); }
  Result<void> Open(const std::string& url) {
    auto w = store::PgConn::Connect(url);
    if (!w.ok()) return Io(w.error());
    write = std::move(w).value();
    auto v = store::MigratePostgres(*write);
    if (!v.ok()) return Io(v.error());
    auto r = store::PgConn::Connect(url);
    if (!r.ok()) return Io(r.error());
    read = std::move(r).value();
    return Ok();
  }
  Result<void> Insert(const std::string& id, const std::string& wrapped) override {
    auto r = write->Query(store::pgq::kPiiInsert, {store::PgParam::Text(id), store::PgParam::Bytes(wrapped)});
    if (!r.ok()) return Io(r.error());
    return Ok();
  }
  Result<void> Delete(const std::string& id) override {
    auto r = write->Query(store::pgq::kPiiDelete, {store::PgParam::Text(id)});
    if (!r.ok()) return Io(r.error());
    (void)write->Exec("VACUUM pii_keys");  // best effort: drop the dead row's bytes from the table files
    return Ok();
  }
  Result<std::vector<std::pair<std::string, std::string>>> LoadAll() override {
    auto r = write->Query(store::pgq::kPiiAll);
    if (!r.ok()) return Io(r.error());
    std::vector<std::pair<std::string, std::string>> out;
    out.reserve(static_cast<size_t>(r->rows()));
    for (int i = 0; i < r->rows(); ++i) out.emplace_back(std::string(r->Bytes(i, 0)), std::string(r->Bytes(i, 1)));
    return out;
  }
  Result<std::optional<std::string>> Get(const std::string& id) override {
    std::lock_guard<std::mutex> l(read_mu);
    auto r = read->Query(store::pgq::kPiiGet, {store::PgParam::Text(id)});
    if (!r.ok()) return Io(r.error());
    if (r->rows() == 0) return std::optional<std::string>();
    return std::optional<std::string>(std::string(r->Bytes(0, 0)));
  }
};

PiiVault::~PiiVault() {
  // Unwrapped keys leave memory with the vault.
  for (auto& [id, k] : keys_) k.fill(0);
  master_.fill(0);
  pepper_.fill(0);
}

Result<std::unique_ptr<PiiVault>> PiiVault::OpenWith(std::unique_ptr<Impl> impl, const PiiKey& master) {
  std::unique_ptr<PiiVault> v(new PiiVault());
  v->impl_ = std::move(impl);
  v->master_ = master;
  Hash256 pep = auth::HmacSha256(AsView(master), "cx-pii-email-index-v1");
  std::copy(pep.begin(), pep.end(), v->pepper_.begin());
  // The live keys, once: afterwards lookups are memory only (see pii.h).
  CX_ASSIGN_OR_RETURN(auto all, v->impl_->LoadAll());
  for (auto& [id, wrapped] : all) v->wrapped_[id] = std::move(wrapped);
  return v;
}

Result<std::unique_ptr<PiiVault>> PiiVault::Open(const std::string& db_path, const PiiKey& master) {
  auto t = std::make_unique<SqliteTable>();
  CX_TRY(t->Open(db_path));
  return OpenWith(std::move(t), master);
}

Result<std::unique_ptr<PiiVault>> PiiVault::OpenPostgres(const std::string& url, const PiiKey& master) {
  auto t = std::make_unique<PgTable>();
  CX_TRY(t->Open(url));
  return OpenWith(std::move(t), master);
}

namespace {
// $CX_PII_MASTER_KEY, or DIR/pii.key (created once, mode 0600).
Result<PiiKey> MasterKeyFor(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  PiiKey master{};
  if (const char* env = std::getenv(kPiiMasterKeyEnv); env && *env) {
    CX_ASSIGN_OR_RETURN(master, KeyFromHex(env));
  } else {
    fs::path kp = fs::path(dir) / "pii.key";
    if (!fs::exists(kp)) {
      PiiKey raw{};
      auth::SecureRandom(raw.data(), raw.size());
      std::string hex = auth::HexOf(AsView(raw));
      int fd = ::open(kp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
      if (fd < 0) return Err(Code::kIo, "cannot create " + kp.string());
      bool ok = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) && ::fsync(fd) == 0;
      ::close(fd);
      if (!ok) return Err(Code::kIo, "cannot write " + kp.string());
    }
    std::ifstream in(kp);
    std::stringstream ss;
    ss << in.rdbuf();
    CX_ASSIGN_OR_RETURN(master, KeyFromHex(ss.str()));
  }
  return master;
}
}  // namespace

Result<std::unique_ptr<PiiVault>> PiiVault::OpenDir(const std::string& dir) {
  CX_ASSIGN_OR_RETURN(PiiKey master, MasterKeyFor(dir));
  return Open((fs::path(dir) / "pii.db").string(), master);
}

Result<std::unique_ptr<PiiVault>> PiiVault::OpenFor(const std::string& dir, const std::string& store_url) {
  if (!store::IsPostgresUrl(store_url)) return OpenDir(dir);
  CX_ASSIGN_OR_RETURN(PiiKey master, MasterKeyFor(dir));
  return OpenPostgres(store_url, master);
}

Result<std::string> PiiVault::NewSubject() {
  PiiKey dek{};
  auth::SecureRandom(dek.data(), dek.size());
  uint8_t idb[16];
  auth::SecureRandom(idb, sizeof idb);
  std::string id = auth::HexOf(std::string_view(reinterpret_cast<const char*>(idb), sizeof idb));
  std::string wrapped = PiiGcmSeal(master_, "cx-pii-dek-v1|" + id, AsView(dek));
  std::lock_guard<std::mutex> dl(db_mu_);
  CX_TRY(impl_->Insert(id, wrapped));
  std::lock_guard<std::mutex> l(mu_);
  wrapped_[id] = std::move(wrapped);
  keys_[id] = dek;
  dek.fill(0);
  return id;
}

Result<PiiKey> PiiVault::DataKey(std::string_view key_id) {
  if (!ValidKeyId(key_id)) return Err(Code::kInvalidField, "malformed personal-data key id", "pii_key");
  std::string id(key_id);
  if (auto it = keys_.find(id); it != keys_.end()) return it->second;
  if (forgotten_.count(id)) return Err(Code::kNotFound, "personal data erased (no key)", "pii_key");
  auto w = wrapped_.find(id);
  if (w == wrapped_.end()) {
    // Shared key table (PostgreSQL): the key may have been created by another node.
    CX_ASSIGN_OR_RETURN(std::optional<std::string> remote, impl_->Get(id));
    if (!remote) return Err(Code::kNotFound, "personal data erased (no key)", "pii_key");
    w = wrapped_.emplace(id, std::move(*remote)).first;
  }
  const std::string& wrapped = w->second;
  CX_ASSIGN_OR_RETURN(std::string raw, PiiGcmOpen(master_, "cx-pii-dek-v1|" + id, wrapped));
  if (raw.size() != 32) return Err(Code::kDocDecryptFailed, "bad wrapped key", "pii_key");
  PiiKey k{};
  std::copy(raw.begin(), raw.end(), k.begin());
  std::fill(raw.begin(), raw.end(), '\0');
  keys_[id] = k;
  return k;
}

Result<std::string> PiiVault::Seal(std::string_view key_id, std::string_view plaintext) {
  std::lock_guard<std::mutex> l(mu_);
  CX_ASSIGN_OR_RETURN(PiiKey k, DataKey(key_id));
  std::string out(1, static_cast<char>(kSealVersion));
  out += PiiGcmSeal(k, "cx-pii-v1|" + std::string(key_id), plaintext);
  k.fill(0);
  return out;
}

Result<std::string> PiiVault::Unseal(std::string_view key_id, std::string_view sealed) {
  if (sealed.empty() || static_cast<uint8_t>(sealed[0]) != kSealVersion)
    return Err(Code::kInvalidField, "not sealed personal data", "pii");
  std::lock_guard<std::mutex> l(mu_);
  CX_ASSIGN_OR_RETURN(PiiKey k, DataKey(key_id));
  auto r = PiiGcmOpen(k, "cx-pii-v1|" + std::string(key_id), sealed.substr(1));
  k.fill(0);
  return r;
}

Result<void> PiiVault::Shred(std::string_view key_id) {
  if (!ValidKeyId(key_id)) return Err(Code::kInvalidField, "malformed personal-data key id", "pii_key");
  std::string id(key_id);
  std::lock_guard<std::mutex> dl(db_mu_);
  {
    // Gone from memory first: nothing resolves it from here on, even if the delete fails
    // (then it is retried at the next start: ShredErasedKeys).
    std::lock_guard<std::mutex> l(mu_);
    DropFromMemory(id);
  }
  CX_TRY(impl_->Delete(id));
  return Ok();  // idempotent: shredding a missing key is not an error
}

void PiiVault::Forget(std::string_view key_id) {
  std::string id(key_id);
  std::lock_guard<std::mutex> l(mu_);
  DropFromMemory(id);
  forgotten_.insert(std::move(id));
}

void PiiVault::DropFromMemory(const std::string& id) {
  if (auto it = keys_.find(id); it != keys_.end()) {
    it->second.fill(0);
    keys_.erase(it);
  }
  wrapped_.erase(id);
  for (auto it = people_.begin(); it != people_.end();) {
    if (it->second.pii_key == id) it = people_.erase(it);
    else ++it;
  }
}

Result<bool> PiiVault::Has(std::string_view key_id) {
  std::lock_guard<std::mutex> l(mu_);
  auto k = DataKey(key_id);
  if (k.ok()) return true;
  if (k.error().code == Code::kNotFound) return false;
  return k.take_error();
}

Result<int64_t> PiiVault::Count() {
  std::lock_guard<std::mutex> l(mu_);
  return static_cast<int64_t>(wrapped_.size());
}

std::string PiiVault::NormalizeEmail(std::string_view email) {
  size_t b = 0, e = email.size();
  while (b < e && std::isspace(static_cast<unsigned char>(email[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(email[e - 1]))) --e;
  std::string s(email.substr(b, e - b));
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string PiiVault::EmailIndex(std::string_view email) const {
  return auth::HexOf(auth::HmacSha256(AsView(pepper_), NormalizeEmail(email)));
}

Result<std::string> PiiVault::SealPerson(std::string_view key_id, const std::string& email,
                                         const std::string& display_name, const std::string& password_hash) {
  json::object o;
  o["email"] = email;
  o["display_name"] = display_name;
  o["password_hash"] = password_hash;
  return Seal(key_id, json::serialize(o));
}

Person PiiVault::PersonOf(const registry::User& u) {
  Person p;
  if (u.erased) {
    p.display_name = "erased user #" + std::to_string(u.id);
    p.erased = true;
    p.ok = true;
    return p;
  }
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = people_.find(u.id);
    if (it != people_.end() && it->second.pii_key == u.pii_key && it->second.pii_size == u.pii.size())
      return it->second.person;
  }
  if (u.pii.empty()) {
    p.display_name = "user #" + std::to_string(u.id);
    p.ok = true;
  } else {
    auto plain = Unseal(u.pii_key, u.pii);
    if (!plain.ok()) {
      p.display_name = "user #" + std::to_string(u.id);
      return p;  // not cached: a transient error should not stick
    }
    boost::system::error_code ec;
    json::value v = json::parse(*plain, ec);
    if (!ec && v.is_object()) {
      const auto& o = v.as_object();
      auto str = [&](const char* k) -> std::string {
        const auto* x = o.if_contains(k);
        return x && x->is_string() ? std::string(x->as_string()) : std::string();
      };
      p.email = str("email");
      p.display_name = str("display_name");
      p.password_hash = str("password_hash");
      p.ok = true;
    }
  }
  std::lock_guard<std::mutex> l(mu_);
  people_[u.id] = Cached{u.pii_key, u.pii.size(), p};
  return p;
}

}  // namespace cx::app
