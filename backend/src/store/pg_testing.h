// Throwaway PostgreSQL 15 clusters for tests and benches (initdb + pg_ctl).
//
// PgCluster::Start() creates a temp dir, runs initdb (as the `postgres` system user when
// the process is root: initdb and postgres refuse to run as root), starts the server on a
// free 127.0.0.1 port with its unix socket inside the temp dir, and returns once it
// accepts connections. The destructor (or Stop()) stops it (pg_ctl -m immediate) and
// removes the directory. Shell twin for node tests and suites: tools/pg-throwaway.sh.
//
// - Authentication: trust for the superuser "cx" on 127.0.0.1 (a throwaway cluster).
// - Durability: fsync=on by default (benches measure honest commits); fsync=off only
//   when asked (unit tests that do not measure durability).
// - TLS (tls=true): at start a CA and a server certificate for localhost/127.0.0.1 are
//   made with the openssl CLI; the server requires TLS on TCP (hostssl only) and url()
//   then says `sslmode=verify-full&sslrootcert=<dir>/ca.crt`. wrong_ca_file() is a
//   second, unrelated CA (negative tests).
// - Speed: the initdb output is cached once per machine in
//   $TMPDIR/cx-pg-template-<uid>-15 and copied per cluster (initdb is the slow part).
//
// Thread-safety: a PgCluster is not shared across threads while starting/stopping.
#pragma once
#include <memory>
#include <string>

#include "core/result.h"

namespace cx::store {

struct PgClusterOptions {
  bool fsync = true;
  bool tls = false;
  std::string bin_dir = "/usr/lib/postgresql/15/bin";
  std::string run_as = "postgres";  // system user for initdb/pg_ctl when we are root
  std::string extra_conf;           // appended to postgresql.conf
};

class PgCluster {
 public:
  static Result<std::unique_ptr<PgCluster>> Start(const PgClusterOptions& opts = {});
  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  // Connection URL of database `db` (default "postgres"):
  //   postgresql://cx@127.0.0.1:PORT/db             (plain)
  //   postgresql://cx@localhost:PORT/db?sslmode=verify-full&sslrootcert=DIR/ca.crt  (tls)
  std::string url(const std::string& db = "postgres") const;
  // Creates a fresh database and returns its URL (one per test keeps tests independent).
  Result<std::string> CreateDatabase(const std::string& name);
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  std::string ca_file() const { return dir_ + "/ca.crt"; }
  std::string wrong_ca_file() const { return dir_ + "/wrong-ca.crt"; }
  bool tls() const { return opts_.tls; }
  void Stop();

 private:
  PgCluster() = default;
  PgClusterOptions opts_;
  std::string dir_;
  int port_ = 0;
  bool running_ = false;
};

// Test helper: one cluster per process, started on first use (fsync=off), stopped at
// exit. If $CX_TEST_PG_URL is set (a suite's shared cluster), no cluster is started and
// databases are created through that server instead. Returns a fresh database URL per
// call; an Error when PostgreSQL cannot be started here.
Result<std::string> TestDatabaseUrl(const std::string& prefix);

}  // namespace cx::store
