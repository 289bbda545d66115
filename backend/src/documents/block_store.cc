#include "documents/block_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "documents/errors.h"

namespace cx::documents {

namespace {

// strerror's text without strerror's shared buffer (documents are read and written from
// several threads); std::system_category() formats it with strerror_r.
std::string ErrnoText(int e) { return std::system_category().message(e); }

Error IoError(const std::string& what, const std::string& path) {
  return Err(Code::kIo, what + " " + path + ": " + ErrnoText(errno));
}

Result<void> MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) return IoError("mkdir", path);
  return Ok();
}

Result<void> WriteAll(int fd, const char* p, size_t n, const std::string& path) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return IoError("write", path);
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Ok();
}

std::atomic<uint64_t> g_tmp_counter{0};
const std::string& PidText() {
  static const std::string pid = std::to_string(::getpid());
  return pid;
}

}  // namespace

Result<BlockStore> BlockStore::Open(const std::string& dir) {
  // Create parents one by one (like mkdir -p).
  for (size_t i = 1; i <= dir.size(); ++i) {
    if (i == dir.size() || dir[i] == '/') CX_TRY(MakeDir(dir.substr(0, i)));
  }
  return BlockStore(dir);  // shards are created on first use
}

std::string BlockStore::PathOf(const Cid& cid) const {
  static const char* kHex = "0123456789abcdef";
  std::string p = dir_;
  p += '/';
  p += kHex[cid.digest[0] >> 4];
  p += kHex[cid.digest[0] & 15];
  p += '/';
  p += cid.ToString();
  return p;
}

bool BlockStore::Has(const Cid& cid) const {
  return ::access(PathOf(cid).c_str(), F_OK) == 0;
}

Result<void> BlockStore::PutBlock(const Cid& cid, std::string_view bytes) {
  std::string path = PathOf(cid);
  if (::access(path.c_str(), F_OK) == 0) return Ok();
  std::string tmp = path + ".tmp." + PidText() + "." +
                    std::to_string(g_tmp_counter.fetch_add(1));
  // Page-aligned whole pages (blocks queued by AsyncBlockSink) skip the page cache:
  // O_DIRECT saves a copy and writes at disk speed; the final syncfs makes them durable.
  // Anything else, or a file system without O_DIRECT, goes through the page cache.
  bool direct = !bytes.empty() && bytes.size() % kDirectAlign == 0 &&
                reinterpret_cast<uintptr_t>(bytes.data()) % kDirectAlign == 0 &&
                direct_ok_.load(std::memory_order_relaxed);
  int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | (direct ? O_DIRECT : 0);
  int fd = ::open(tmp.c_str(), flags, 0644);
  if (fd < 0 && errno == ENOENT) {  // first block of this shard
    CX_TRY(MakeDir(path.substr(0, path.rfind('/'))));
    fd = ::open(tmp.c_str(), flags, 0644);
  }
  if (fd < 0 && direct && errno == EINVAL) {
    direct_ok_.store(false, std::memory_order_relaxed);
    direct = false;
    flags &= ~O_DIRECT;
    fd = ::open(tmp.c_str(), flags, 0644);
  }
  if (fd < 0) return IoError("create", tmp);
  Result<void> w = WriteAll(fd, bytes.data(), bytes.size(), tmp);
  if (!w.ok() && direct && errno == EINVAL) {  // O_DIRECT refused at write time
    direct_ok_.store(false, std::memory_order_relaxed);
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_DIRECT);
    if (::ftruncate(fd, 0) == 0 && ::lseek(fd, 0, SEEK_SET) == 0) {
      w = WriteAll(fd, bytes.data(), bytes.size(), tmp);
    }
  }
  if (::close(fd) != 0 && w.ok()) w = IoError("close", tmp);
  if (w.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) w = IoError("rename", path);
  if (!w.ok()) ::unlink(tmp.c_str());
  return w;
}

Result<std::string> BlockStore::GetBlock(const Cid& cid) const {
  std::string path = PathOf(cid);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Err(Code::kNotFound, "block not found: " + cid.ToString());
    return IoError("open", path);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return IoError("stat", path);
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxBlockSize) {
    ::close(fd);
    return Err(kBlockCorrupt, "block file too large: " + cid.ToString());
  }
  std::string out(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < out.size()) {
    ssize_t r = ::read(fd, out.data() + got, out.size() - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      ::close(fd);
      return IoError("read", path);
    }
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  ::close(fd);
  out.resize(got);
  if (Cid::Of(cid.codec, out) != cid) {
    return Err(kBlockCorrupt, "block " + cid.ToString() +
                                  " does not match its hash (corrupt on disk); not served");
  }
  return out;
}

Result<void> BlockStore::Delete(const Cid& cid) {
  std::string path = PathOf(cid);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return IoError("unlink", path);
  return Ok();
}

Result<void> BlockStore::Sync() {
  int fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("open", dir_);
  int rc = ::syncfs(fd);
  ::close(fd);
  if (rc != 0) return IoError("syncfs", dir_);
  return Ok();
}

}  // namespace cx::documents
