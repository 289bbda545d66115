#include "store/pg_lease.h"

#include <algorithm>

#include "store/migrations.h"
#include "store/pg_conn.h"

namespace cx::store {

struct PgLease::Impl {
  std::unique_ptr<PgConn> conn;
};

PgLease::~PgLease() = default;

std::string WriterSessionName(const std::string& lease, int64_t epoch) {
  return "cx-writer " + lease + " e" + std::to_string(epoch);
}

namespace {
bool IsLockTimeout(const Error& e) { return e.field == "sqlstate:55P03"; }
}  // namespace

Result<std::unique_ptr<PgLease>> PgLease::Open(const std::string& url, std::string name, int64_t lock_timeout_ms) {
  std::unique_ptr<PgLease> l(new PgLease());
  l->impl_ = std::make_unique<Impl>();
  l->name_ = std::move(name);
  CX_ASSIGN_OR_RETURN(l->impl_->conn, PgConn::Connect(url));
  CX_ASSIGN_OR_RETURN(int64_t version, MigratePostgres(*l->impl_->conn));
  (void)version;
  CX_TRY(l->impl_->conn->Query("INSERT INTO cx_lease (name) VALUES ($1) ON CONFLICT (name) DO NOTHING",
                               {PgParam::Text(l->name_)}));
  CX_TRY(l->impl_->conn->AddSessionSetup("SET lock_timeout = " + std::to_string(std::max<int64_t>(1, lock_timeout_ms))));
  return l;
}

Result<int64_t> PgLease::TryAcquire(const std::string& holder, const std::string& advertise, int64_t ttl_ms) {
  if (holder.empty()) return Err(Code::kInvalidField, "lease holder must not be empty", "holder");
  auto take = [&]() {
    return impl_->conn->Query(
        "UPDATE cx_lease SET holder = $2, advertise = $3, epoch = epoch + 1,"
        " expires_at = clock_timestamp() + $4::bigint * interval '1 millisecond'"
        " WHERE name = $1 AND (expires_at <= clock_timestamp() OR holder = $2) RETURNING epoch",
        {PgParam::Text(name_), PgParam::Text(holder), PgParam::Text(advertise), PgParam::Int(ttl_ms)});
  };
  auto r = take();
  if (!r.ok() && IsLockTimeout(r.error())) {
    // The row is locked by an append transaction. If the lease has expired, that writer is
    // stalled (paused inside its transaction): end its sessions, then try once more.
    CX_ASSIGN_OR_RETURN(auto cur, Current());
    if (!cur || cur->expires_in_ms > 0 || cur->holder == holder) return r.take_error();
    CX_TRY(impl_->conn->Query("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                              " WHERE application_name = $1 AND pid <> pg_backend_pid()",
                              {PgParam::Text(WriterSessionName(name_, cur->epoch))}));
    r = take();
  }
  if (!r.ok()) return r.take_error();
  if (r->rows() != 1) return Err(Code::kConflict, "lease '" + name_ + "' is held by another node", "lease");
  return r->Int(0, 0);
}

Result<void> PgLease::Renew(const std::string& holder, int64_t epoch, int64_t ttl_ms) {
  CX_ASSIGN_OR_RETURN(
      PgRows r, impl_->conn->Query(
                    "UPDATE cx_lease SET expires_at = clock_timestamp() + $4::bigint * interval '1 millisecond'"
                    " WHERE name = $1 AND holder = $2 AND epoch = $3",
                    {PgParam::Text(name_), PgParam::Text(holder), PgParam::Int(epoch), PgParam::Int(ttl_ms)}));
  if (r.affected() != 1)
    return FencedError("lease '" + name_ + "' epoch " + std::to_string(epoch) + " of " + holder + " is no longer current");
  return Ok();
}

Result<std::optional<LeaseInfo>> PgLease::Current() {
  CX_ASSIGN_OR_RETURN(
      PgRows r, impl_->conn->Query(
                    "SELECT holder, epoch, advertise,"
                    " CASE WHEN isfinite(expires_at) THEN"
                    "   floor(extract(epoch FROM (expires_at - clock_timestamp())) * 1000)::bigint ELSE -1::bigint END,"
                    " last_seq FROM cx_lease WHERE name = $1",
                    {PgParam::Text(name_)}));
  if (r.rows() != 1 || r.Int(0, 1) == 0) return std::optional<LeaseInfo>();
  LeaseInfo li;
  li.holder = std::string(r.Bytes(0, 0));
  li.epoch = r.Int(0, 1);
  li.advertise = std::string(r.Bytes(0, 2));
  li.expires_in_ms = r.Int(0, 3);
  li.last_seq = r.Int(0, 4);
  return std::optional<LeaseInfo>(std::move(li));
}

Result<void> PgLease::Release(const std::string& holder, int64_t epoch) {
  CX_ASSIGN_OR_RETURN(PgRows r, impl_->conn->Query("UPDATE cx_lease SET expires_at = '-infinity'"
                                                   " WHERE name = $1 AND holder = $2 AND epoch = $3",
                                                   {PgParam::Text(name_), PgParam::Text(holder), PgParam::Int(epoch)}));
  (void)r;
  return Ok();
}

}  // namespace cx::store
