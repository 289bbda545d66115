// cx_doc_bench FILE DIR: ingest throughput of the document store against plain SHA-256.
//   sha256_mb_per_s      read FILE (1 MiB reads) and SHA-256 it (OpenSSL, cx::Sha256Hasher)
//   cid_ingest_mb_per_s  DocumentStore::PutFile(FILE) into an empty store under DIR:
//                        reading, chunking, hashing every block, writing every block file,
//                        metadata, and the one syncfs at the end
// Both read the same file in the same run, after one warm-up read, so both see it in the
// page cache. MB = 10^6 bytes. Also prints doc_disk_copy_fsync_mb_per_s: the same file
// copied into one file with one fsync (read, write, flush; no hashing), the floor that any
// ingest which must reach the disk is bounded by.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "core/sha256.h"
#include "documents/document_store.h"

namespace {

double Seconds(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

long long HashFile(const char* path, bool hash) {
  int fd = ::open(path, O_RDONLY);
  if (fd < 0) return -1;
  std::vector<char> buf(1 << 20);
  cx::Sha256Hasher h;
  long long total = 0;
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n <= 0) break;
    if (hash) h.Update(buf.data(), static_cast<size_t>(n));
    total += n;
  }
  ::close(fd);
  cx::Hash256 d = h.Final();
  std::fprintf(stderr, "sha256 %s\n", hash ? cx::ToHex(d).c_str() : "(warm-up)");
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: cx_doc_bench FILE EMPTY_DIR\n");
    return 2;
  }
  using Clock = std::chrono::steady_clock;
  HashFile(argv[1], false);  // warm the page cache
  auto t0 = Clock::now();
  long long n = HashFile(argv[1], true);
  auto t1 = Clock::now();
  if (n <= 0) {
    std::fprintf(stderr, "cannot read %s\n", argv[1]);
    return 1;
  }
  double sha = static_cast<double>(n) / 1e6 / Seconds(t0, t1);

  auto store = cx::documents::DocumentStore::Open({argv[2], std::nullopt});
  if (!store.ok()) {
    std::fprintf(stderr, "open store: %s\n", store.error().message.c_str());
    return 1;
  }
  auto t2 = Clock::now();
  auto info = (*store)->PutFile(argv[1], {});
  auto t3 = Clock::now();
  if (!info.ok()) {
    std::fprintf(stderr, "ingest: %s\n", info.error().message.c_str());
    return 1;
  }
  double ingest = static_cast<double>(n) / 1e6 / Seconds(t2, t3);
  std::fprintf(stderr, "root %s, %.3f s ingest, %.3f s sha256\n", info->cid.ToString().c_str(),
               Seconds(t2, t3), Seconds(t0, t1));
  // The physical floor: the same bytes written sequentially to one file, one fsync.
  std::string copy = std::string(argv[2]) + "/disk-baseline.bin";
  auto t4 = Clock::now();
  int in = ::open(argv[1], O_RDONLY), out = ::open(copy.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char> buf(1 << 20);
  for (ssize_t r; (r = ::read(in, buf.data(), buf.size())) > 0;) {
    if (::write(out, buf.data(), static_cast<size_t>(r)) != r) return 1;
  }
  ::fsync(out);
  ::close(in);
  ::close(out);
  auto t5 = Clock::now();
  ::unlink(copy.c_str());
  double disk = static_cast<double>(n) / 1e6 / Seconds(t4, t5);
  std::printf("BENCH cid_ingest_mb_per_s %.1f MB/s\n", ingest);
  std::printf("BENCH sha256_mb_per_s %.1f MB/s\n", sha);
  std::printf("BENCH cid_ingest_vs_sha256 %.1f %%\n", 100.0 * ingest / sha);
  std::printf("BENCH doc_disk_copy_fsync_mb_per_s %.1f MB/s\n", disk);
  return 0;
}
