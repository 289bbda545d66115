// Streaming UnixFS file importer: the same DAG, and so the same root CID, as
// `ipfs add --cid-version=1 --raw-leaves` and as the JavaScript ipfs-unixfs-importer with
// { cidVersion: 1, rawLeaves: true, fixed 256 KiB chunker, balanced layout, 174 children }.
//
// Bytes are fed in any pieces with Write(); each full chunk becomes a raw leaf block
// (codec 0x55) handed to the BlockSink at once. Interior dag-pb nodes (codec 0x70) are
// built level by level as soon as a level holds max_links entries, so memory stays at
// one chunk plus at most max_links link records per level, whatever the file size.
// Layout (equal to the JS balanced layout): leaves are grouped max_links at a time into
// parents, parents max_links at a time into grandparents, until one node is left.
// Special cases the JS importer has and this one reproduces: a file of at most one
// chunk is its single raw leaf (no dag-pb wrapper), and the empty file is the raw leaf
// of zero bytes (bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku).
//
// No I/O beyond the sink. Not thread-safe; one importer per file.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "documents/block.h"
#include "documents/cid.h"

namespace cx::documents {

inline constexpr size_t kChunkSize = 256 * 1024;
inline constexpr size_t kMaxLinks = 174;

// Other values than the defaults are for tests (small trees); chunk_size >= 1 and
// max_links >= 2 are enforced by clamping.
struct ImporterOptions {
  size_t chunk_size = kChunkSize;
  size_t max_links = kMaxLinks;
};

struct ImportResult {
  Cid root;
  uint64_t file_size = 0;  // content bytes
  uint64_t dag_size = 0;   // bytes of all blocks (the root link's Tsize in a parent)
  uint64_t blocks = 0;     // blocks handed to the sink (repeats included)
};

class UnixFsImporter {
 public:
  // `sink` must outlive the importer.
  explicit UnixFsImporter(BlockSink* sink, ImporterOptions options = {});
  UnixFsImporter(const UnixFsImporter&) = delete;
  UnixFsImporter& operator=(const UnixFsImporter&) = delete;

  // Feeds content bytes. Errors come from the sink; after an error the importer is spent.
  Result<void> Write(const void* data, size_t len);
  // Flushes the last chunk and the open levels; returns the root. Call once.
  Result<ImportResult> Finish();

  uint64_t bytes_written() const { return total_; }

 private:
  struct Entry {
    Cid cid;
    uint64_t tsize;     // block bytes of the sub-DAG
    uint64_t content;   // file bytes under it
  };
  Result<void> EmitLeaf(const char* data, size_t len);
  Result<void> Reduce(size_t level);  // turns levels_[level] into one entry of level+1

  BlockSink* sink_;
  ImporterOptions opt_;
  std::string chunk_;                       // partial chunk, < chunk_size bytes
  std::vector<std::vector<Entry>> levels_;  // levels_[0] = leaves
  uint64_t total_ = 0;
  uint64_t blocks_ = 0;
  bool failed_ = false;
  bool finished_ = false;
};

// Convenience: CID of an in-memory byte string (blocks discarded).
Result<ImportResult> ComputeCid(std::string_view content, ImporterOptions options = {});

}  // namespace cx::documents
