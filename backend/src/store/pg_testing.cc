#include "store/pg_testing.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <vector>

#include "store/pg_conn.h"

namespace cx::store {
namespace fs = std::filesystem;

namespace {

bool AmRoot() { return ::geteuid() == 0; }

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') q += "'\\''";
    else q.push_back(c);
  }
  return q + "'";
}

// Runs a shell command, as `user` when we are root. Output goes to `log`.
bool Run(const std::string& cmd, const std::string& user, const std::string& log) {
  std::string full = AmRoot() ? "runuser -u " + user + " -- " + cmd : cmd;
  full += " >>" + Quote(log) + " 2>&1";
  return std::system(full.c_str()) == 0;  // NOLINT(cert-env33-c,concurrency-mt-unsafe): test helper running initdb/pg_ctl/openssl
}

bool Chown(const std::string& path, const std::string& user) {
  if (!AmRoot()) return true;
  passwd pwd{};
  passwd* pw = nullptr;
  std::vector<char> buf(16384);
  if (::getpwnam_r(user.c_str(), &pwd, buf.data(), buf.size(), &pw) != 0 || !pw) return false;
  return ::chown(path.c_str(), pw->pw_uid, pw->pw_gid) == 0;
}

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

std::string TmpRoot() {
  const char* t = std::getenv("TMPDIR");  // NOLINT(concurrency-mt-unsafe)
  return t && *t ? t : "/tmp";
}

// initdb once per machine into a template directory; clusters copy it.
Result<std::string> Template(const PgClusterOptions& o) {
  std::string tdir = TmpRoot() + "/cx-pg-template-" + std::to_string(::geteuid()) + "-15";
  if (fs::exists(tdir + "/data/PG_VERSION")) return tdir + "/data";
  std::string tmp = tdir + ".tmp." + std::to_string(::getpid());
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  ::chmod(tmp.c_str(), 0755);
  if (!Chown(tmp, o.run_as)) return Err(Code::kIo, "cannot chown " + tmp + " to " + o.run_as);
  std::string log = tmp + ".log";
  if (!Run(Quote(o.bin_dir + "/initdb") + " -D " + Quote(tmp + "/data") +
               " -U cx --auth=trust -E UTF8 --no-locale --no-sync",
           o.run_as, log)) {
    fs::remove_all(tmp);
    return Err(Code::kIo, "initdb failed (see " + log + ")");
  }
  std::error_code ec;
  fs::rename(tmp, tdir, ec);  // atomic; a concurrent creator may have won
  if (ec) fs::remove_all(tmp);
  fs::remove(log, ec);
  if (!fs::exists(tdir + "/data/PG_VERSION")) return Err(Code::kIo, "template cluster missing in " + tdir);
  return tdir + "/data";
}

bool MakeCerts(const std::string& dir, const std::string& log) {
  auto ca = [&](const std::string& name, const std::string& cn) {
    return Run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3 -subj " +
                   Quote("/CN=" + cn) + " -keyout " + Quote(dir + "/" + name + ".key") + " -out " +
                   Quote(dir + "/" + name + ".crt"),
               "root", log);
  };
  {
    std::ofstream ext(dir + "/server.ext");
    ext << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
  }
  return ca("ca", "cx throwaway CA") && ca("wrong-ca", "cx unrelated CA") &&
         Run("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost -keyout " +
                 Quote(dir + "/server.key") + " -out " + Quote(dir + "/server.csr"),
             "root", log) &&
         Run("openssl x509 -req -days 3 -in " + Quote(dir + "/server.csr") + " -CA " + Quote(dir + "/ca.crt") +
                 " -CAkey " + Quote(dir + "/ca.key") + " -CAcreateserial -extfile " + Quote(dir + "/server.ext") +
                 " -out " + Quote(dir + "/server.crt"),
             "root", log);
}

}  // namespace

Result<std::unique_ptr<PgCluster>> PgCluster::Start(const PgClusterOptions& opts) {
  std::unique_ptr<PgCluster> c(new PgCluster());
  c->opts_ = opts;
  if (!fs::exists(opts.bin_dir + "/pg_ctl")) return Err(Code::kUnavailable, "PostgreSQL not installed in " + opts.bin_dir);
  CX_ASSIGN_OR_RETURN(std::string tmpl, Template(opts));
  std::string pattern = TmpRoot() + "/cx-pg-XXXXXX";
  if (!::mkdtemp(pattern.data())) return Err(Code::kIo, "mkdtemp failed");
  c->dir_ = pattern;
  ::chmod(c->dir_.c_str(), 0755);
  if (!Chown(c->dir_, opts.run_as)) return Err(Code::kIo, "cannot chown " + c->dir_);
  std::string log = c->dir_ + "/setup.log";
  std::string data = c->dir_ + "/data";
  if (!Run("cp -a " + Quote(tmpl) + " " + Quote(data), "root", log) || !Chown(data, opts.run_as))
    return Err(Code::kIo, "cannot copy the template cluster (see " + log + ")");
  ::chmod(data.c_str(), 0700);
  if (AmRoot()) (void)Run("chown -R " + opts.run_as + " " + Quote(data), "root", log);
  if (opts.tls) {
    if (!MakeCerts(c->dir_, log)) return Err(Code::kIo, "openssl failed (see " + log + ")");
    for (const char* f : {"server.key", "server.crt"}) {
      std::string p = c->dir_ + "/" + f;
      ::chmod(p.c_str(), 0600);
      if (!Chown(p, opts.run_as)) return Err(Code::kIo, "cannot chown " + p);
    }
  }
  {
    std::ofstream hba(data + "/pg_hba.conf", std::ios::trunc);
    hba << "local all all trust\n";
    if (opts.tls) hba << "hostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\n";
    else hba << "host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n";
  }
  for (int attempt = 0; attempt < 4; ++attempt) {
    c->port_ = FreePort();
    {
      std::ofstream conf(data + "/postgresql.auto.conf", std::ios::trunc);
      conf << "port = " << c->port_ << "\n"
           << "listen_addresses = '127.0.0.1'\n"
           << "unix_socket_directories = '" << c->dir_ << "'\n"
           << "fsync = " << (opts.fsync ? "on" : "off") << "\n"
           << "synchronous_commit = on\n"
           << "max_connections = 60\n"
           << "shared_buffers = 64MB\n"
           << "max_wal_size = 2GB\n"
           << "log_min_messages = warning\n";
      if (opts.tls)
        conf << "ssl = on\nssl_cert_file = '" << c->dir_ << "/server.crt'\nssl_key_file = '" << c->dir_
             << "/server.key'\n";
      conf << opts.extra_conf << "\n";
    }
    if (Run(Quote(opts.bin_dir + "/pg_ctl") + " -D " + Quote(data) + " -l " + Quote(c->dir_ + "/server.log") +
                " -w -t 60 start",
            opts.run_as, log)) {
      c->running_ = true;
      // A reaper: if this process dies without stopping the cluster (a killed test), the
      // cluster is stopped and removed within a couple of seconds.
      std::string reap = "(while kill -0 " + std::to_string(::getpid()) + " 2>/dev/null; do sleep 2; done; " +
                         (AmRoot() ? "runuser -u " + opts.run_as + " -- " : std::string()) + Quote(opts.bin_dir + "/pg_ctl") +
                         " -D " + Quote(data) + " -m immediate stop >/dev/null 2>&1; rm -rf " + Quote(c->dir_) +
                         ") </dev/null >/dev/null 2>&1 &";
      (void)std::system(reap.c_str());  // NOLINT(cert-env33-c,concurrency-mt-unsafe): test helper, a background shell
      return c;
    }
  }
  return Err(Code::kUnavailable, "pg_ctl start failed (see " + c->dir_ + "/server.log)");
}

PgCluster::~PgCluster() {
  Stop();
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

void PgCluster::Stop() {
  if (!running_) return;
  running_ = false;
  (void)Run(Quote(opts_.bin_dir + "/pg_ctl") + " -D " + Quote(dir_ + "/data") + " -m immediate -w stop", opts_.run_as,
            "/dev/null");
}

std::string PgCluster::url(const std::string& db) const {
  if (opts_.tls)
    return "postgresql://cx@localhost:" + std::to_string(port_) + "/" + db +
           "?hostaddr=127.0.0.1&sslmode=verify-full&sslrootcert=" + ca_file();
  return "postgresql://cx@127.0.0.1:" + std::to_string(port_) + "/" + db;
}

Result<std::string> PgCluster::CreateDatabase(const std::string& name) {
  CX_ASSIGN_OR_RETURN(auto conn, PgConn::Connect(url()));
  CX_TRY(conn->Exec("CREATE DATABASE \"" + name + "\""));
  return url(name);
}

namespace {

// Replaces the database name of a postgres URL (…/db?params).
std::string WithDb(const std::string& url, const std::string& db) {
  size_t scheme = url.find("://");
  size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  size_t q = url.find('?');
  std::string base = slash == std::string::npos ? url.substr(0, q) : url.substr(0, slash);
  std::string params = q == std::string::npos ? "" : url.substr(q);
  return base + "/" + db + params;
}

}  // namespace

Result<std::string> TestDatabaseUrl(const std::string& prefix) {
  static std::mutex mu;
  static std::unique_ptr<PgCluster> cluster;
  static std::atomic<int> n{0};
  std::lock_guard<std::mutex> l(mu);
  std::string name = prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(++n);
  const char* ext = std::getenv("CX_TEST_PG_URL");  // NOLINT(concurrency-mt-unsafe)
  if (ext && *ext) {
    CX_ASSIGN_OR_RETURN(auto conn, PgConn::Connect(ext));
    CX_TRY(conn->Exec("CREATE DATABASE \"" + name + "\""));
    return WithDb(ext, name);
  }
  if (!cluster) {
    PgClusterOptions o;
    o.fsync = false;
    CX_ASSIGN_OR_RETURN(cluster, PgCluster::Start(o));
  }
  return cluster->CreateDatabase(name);
}

}  // namespace cx::store
