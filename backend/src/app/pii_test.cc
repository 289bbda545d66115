// PiiVault: sealing, shredding, wrong keys, tampering, reopening; the sign-in record.
#include "app/pii.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "app/privacy.h"
#include "registry/model.h"
#include "registry/registry.h"
#include "store/pg_testing.h"

namespace cx::app {
namespace {
namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("cx-pii-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  static inline int counter = 0;
};

PiiKey Master(uint8_t b) {
  PiiKey k{};
  k.fill(b);
  return k;
}

// The backend the current test runs on. On PostgreSQL each distinct `path` maps to its own
// database in this process's throwaway cluster (store/pg_testing.h), so a test that
// reopens a path reopens the same key table.
std::string g_backend = "sqlite";
std::map<std::string, std::string> g_pg_dbs;

Result<std::unique_ptr<PiiVault>> OpenAt(const std::string& path, const PiiKey& master) {
  if (g_backend != "postgres") return PiiVault::Open(path, master);
  std::string& url = g_pg_dbs[path];
  if (url.empty()) {
    auto u = store::TestDatabaseUrl("pii");
    if (!u.ok()) return u.take_error();
    url = *u;
  }
  return PiiVault::OpenPostgres(url, master);
}

class PiiVaultOn : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { g_backend = GetParam(); }
  void TearDown() override { g_backend = "sqlite"; }
};
INSTANTIATE_TEST_SUITE_P(Backends, PiiVaultOn, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

std::unique_ptr<PiiVault> OpenOk(const std::string& path, const PiiKey& master) {
  auto v = OpenAt(path, master);
  EXPECT_TRUE(v.ok()) << v.error().message;
  return v.ok() ? std::move(v).value() : nullptr;
}

std::string FileBytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST_P(PiiVaultOn, SealUnsealRoundTripAndFreshNonces) {
  TempDir d;
  auto v = OpenAt((d.path / "pii.db").string(), Master(7));
  ASSERT_TRUE(v.ok()) << v.error().message;
  auto id = (*v)->NewSubject();
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->size(), 32u);
  auto a = (*v)->Seal(*id, "alice@example.com");
  auto b = (*v)->Seal(*id, "alice@example.com");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);  // random nonce each time
  EXPECT_EQ(a->find("alice"), std::string::npos);
  auto back = (*v)->Unseal(*id, *a);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, "alice@example.com");
  auto empty = (*v)->Seal(*id, "");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*(*v)->Unseal(*id, *empty), "");
}

TEST_P(PiiVaultOn, ShredMakesUnsealFailAndIsIdempotent) {
  TempDir d;
  auto v = OpenOk((d.path / "pii.db").string(), Master(1));
  std::string id = *v->NewSubject();
  std::string keep = *v->NewSubject();
  std::string sealed = *v->Seal(id, "Bob Example");
  std::string other = *v->Seal(keep, "Carol");
  ASSERT_TRUE(v->Shred(id).ok());
  auto r = v->Unseal(id, sealed);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::kNotFound);
  EXPECT_EQ(v->Seal(id, "x").error().code, Code::kNotFound);
  EXPECT_FALSE(*v->Has(id));
  EXPECT_TRUE(v->Shred(id).ok());
  EXPECT_EQ(*v->Unseal(keep, other), "Carol");
  EXPECT_EQ(*v->Count(), 1);
}

TEST_P(PiiVaultOn, WrongKeyIdAndTamperingAreRefused) {
  TempDir d;
  auto v = OpenOk((d.path / "pii.db").string(), Master(2));
  std::string a = *v->NewSubject(), b = *v->NewSubject();
  std::string sealed = *v->Seal(a, "secret name");
  auto wrong = v->Unseal(b, sealed);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, Code::kDocDecryptFailed);
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string t = sealed;
    t[i] = static_cast<char>(t[i] ^ 0x01);
    EXPECT_FALSE(v->Unseal(a, t).ok()) << "flipped byte " << i;
  }
  EXPECT_FALSE(v->Unseal(a, sealed.substr(0, sealed.size() - 1)).ok());
  EXPECT_FALSE(v->Unseal(a, "").ok());
  EXPECT_EQ(v->Unseal("not-a-key", sealed).error().code, Code::kInvalidField);
  EXPECT_EQ(v->Unseal(std::string(32, 'a'), sealed).error().code, Code::kNotFound);
}

TEST_P(PiiVaultOn, ReopenedFileKeepsKeysAndWrongMasterCannotOpenThem) {
  TempDir d;
  std::string db = (d.path / "pii.db").string();
  std::string id, sealed, shredded;
  {
    auto v = OpenOk(db, Master(3));
    id = *v->NewSubject();
    shredded = *v->NewSubject();
    sealed = *v->Seal(id, "dave@example.org");
    ASSERT_TRUE(v->Shred(shredded).ok());
  }
  {
    auto v = OpenOk(db, Master(3));
    EXPECT_EQ(*v->Unseal(id, sealed), "dave@example.org");
    EXPECT_FALSE(*v->Has(shredded));
  }
  {
    auto v = OpenOk(db, Master(4));
    auto r = v->Unseal(id, sealed);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Code::kDocDecryptFailed);
  }
}

TEST(PiiVault, ShreddedKeyBytesLeaveTheFile) {
  TempDir d;
  std::string db = (d.path / "pii.db").string();
  auto v = OpenOk(db, Master(5));
  std::string id = *v->NewSubject();
  ASSERT_NE(FileBytes(db).find(id), std::string::npos);
  ASSERT_TRUE(v->Shred(id).ok());
  EXPECT_EQ(FileBytes(db).find(id), std::string::npos) << "secure_delete should zero the row";
}

TEST_P(PiiVaultOn, EmailIndexIsKeyedAndCaseInsensitive) {
  TempDir d;
  auto v = OpenOk((d.path / "a.db").string(), Master(6));
  auto w = OpenOk((d.path / "b.db").string(), Master(9));
  EXPECT_EQ(v->EmailIndex("Eve@Example.COM "), v->EmailIndex("eve@example.com"));
  EXPECT_NE(v->EmailIndex("eve@example.com"), v->EmailIndex("eve@example.org"));
  EXPECT_NE(v->EmailIndex("eve@example.com"), w->EmailIndex("eve@example.com"));
  EXPECT_EQ(v->EmailIndex("x@y").size(), 64u);
}

TEST(PiiVault, OpenDirCreatesAPrivateMasterKeyOnce) {
  TempDir d;
  ::unsetenv(kPiiMasterKeyEnv);
  std::string id, sealed;
  {
    auto v = PiiVault::OpenDir(d.path.string());
    ASSERT_TRUE(v.ok()) << v.error().message;
    id = *(*v)->NewSubject();
    sealed = *(*v)->Seal(id, "frank");
  }
  auto perms = fs::status(d.path / "pii.key").permissions();
  EXPECT_EQ(perms & (fs::perms::group_all | fs::perms::others_all), fs::perms::none);
  auto v = PiiVault::OpenDir(d.path.string());
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*(*v)->Unseal(id, sealed), "frank");
}

TEST_P(PiiVaultOn, PrivacyPersonResolverAndSignInRecord) {
  TempDir d;
  auto v = OpenOk((d.path / "pii.db").string(), Master(8));
  auto reg = SealNewUser(*v, "Grace@Example.com", "Grace H", "$argon2id$hash", registry::kTrader);
  ASSERT_TRUE(reg.ok());
  EXPECT_EQ(reg->email_index, v->EmailIndex("grace@example.com"));
  EXPECT_EQ(reg->pii.find("Grace"), std::string::npos);
  registry::User u{7, 106, reg->email_index, reg->pii_key, reg->pii, registry::kTrader, false};
  Person p = v->PersonOf(u);
  EXPECT_TRUE(p.ok);
  EXPECT_EQ(p.email, "grace@example.com");
  EXPECT_EQ(p.display_name, "Grace H");
  EXPECT_EQ(PasswordHashOf(*v, SealedLoginRecord(u)), "$argon2id$hash");
  ASSERT_TRUE(v->Shred(u.pii_key).ok());
  EXPECT_EQ(PasswordHashOf(*v, SealedLoginRecord(u)), "");
  EXPECT_FALSE(v->PersonOf(u).ok);  // the cache was dropped with the key
  u.erased = true;
  EXPECT_EQ(v->PersonOf(u).display_name, "erased user #7");
  EXPECT_TRUE(ValidateEmail("a@b.c").ok());
  EXPECT_FALSE(ValidateEmail("no-at-sign").ok());
  EXPECT_FALSE(ValidateEmail("a b@c").ok());
  EXPECT_FALSE(ValidateEmail("a@b@c").ok());
}

// A crash after the journal took UserErased but before the key was shredded leaves a key
// of an erased user: the start-up pass removes it (and only it).
TEST_P(PiiVaultOn, PrivacyStartupShredsKeysOfErasedUsers) {
  TempDir d;
  auto v = OpenOk((d.path / "pii.db").string(), Master(10));
  auto a = *SealNewUser(*v, "a@x.org", "A", "h", registry::kTrader);
  auto b = *SealNewUser(*v, "b@x.org", "B", "h", registry::kTrader);
  registry::RegistryState s;
  std::vector<registry::Event> out;
  ASSERT_TRUE(s.Decide(a, 1, out).ok());
  ASSERT_EQ(out.size(), 1u);
  s.Apply(out[0], 1, 1);
  out.clear();
  ASSERT_TRUE(s.Decide(b, 2, out).ok());
  s.Apply(out[0], 2, 2);
  out.clear();
  int64_t ua = s.user_by_email_index(a.email_index)->id;
  ASSERT_TRUE(s.Decide(registry::EraseUser{ua, ua}, 3, out).ok());
  for (const auto& e : out) s.Apply(e, 3, 3);
  EXPECT_EQ(*ShredErasedKeys(*v, s), 1);
  EXPECT_FALSE(*v->Has(a.pii_key));
  EXPECT_TRUE(*v->Has(b.pii_key));
  EXPECT_EQ(*ShredErasedKeys(*v, s), 0);  // idempotent
}

// Every node of a cluster shares the key table: a subject created on one node opens on
// another (fetched by id on first use), and a restart of either sees the shred.
TEST(PiiVaultPostgres, NodesShareTheKeyTable) {
  auto url = store::TestDatabaseUrl("pii_shared");
  ASSERT_TRUE(url.ok()) << url.error().message;
  auto a = PiiVault::OpenPostgres(*url, Master(11));
  auto b = PiiVault::OpenPostgres(*url, Master(11));
  ASSERT_TRUE(a.ok() && b.ok()) << (a.ok() ? b.error().message : a.error().message);
  std::string id = *(*a)->NewSubject();
  std::string sealed = *(*a)->Seal(id, "heidi@example.net");
  auto back = (*b)->Unseal(id, sealed);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, "heidi@example.net");
  EXPECT_EQ((*a)->EmailIndex("heidi@example.net"), (*b)->EmailIndex("heidi@example.net"));
  ASSERT_TRUE((*b)->Shred(id).ok());
  auto c = PiiVault::OpenPostgres(*url, Master(11));
  ASSERT_TRUE(c.ok());
  auto gone = (*c)->Unseal(id, sealed);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, Code::kNotFound);
  EXPECT_EQ(*(*c)->Count(), 0);
  // A follower forgets a key another node shreds when it applies the erasure: gone from
  // its memory at once and never fetched again, even before the row is deleted.
  std::string id3 = *(*a)->NewSubject();
  std::string sealed3 = *(*a)->Seal(id3, "ivan@example.net");
  ASSERT_TRUE((*b)->Unseal(id3, sealed3).ok());  // cached on b
  std::vector<registry::Event> events{registry::UserErased{7, id3}};
  engine::Outcome out;
  out.events = &events;
  bool follower = false;
  int next_calls = 0;
  auto observe = ObserveErasures([&](const registry::RegistryState&, const engine::Outcome&) -> std::shared_ptr<const void> {
    ++next_calls;
    return nullptr;
  }, [&]() -> PiiVault* { return b->get(); }, [&] { return follower; });
  registry::RegistryState st;
  (void)observe(st, out);  // the leader's view: not durable yet, nothing forgotten
  EXPECT_TRUE((*b)->Unseal(id3, sealed3).ok());
  follower = true;
  (void)observe(st, out);
  EXPECT_EQ(next_calls, 2);
  auto forgotten = (*b)->Unseal(id3, sealed3);
  ASSERT_FALSE(forgotten.ok());
  EXPECT_EQ(forgotten.error().code, Code::kNotFound);
  EXPECT_FALSE(*(*b)->Has(id3));
  EXPECT_TRUE((*a)->Unseal(id3, sealed3).ok());  // the key row itself is the leader's to shred
  // A wrong master key cannot open what the others sealed.
  auto w = PiiVault::OpenPostgres(*url, Master(12));
  ASSERT_TRUE(w.ok());
  std::string id2 = *(*a)->NewSubject();
  auto bad = (*w)->Unseal(id2, *(*a)->Seal(id2, "x"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Code::kDocDecryptFailed);
}

}  // namespace
}  // namespace cx::app
