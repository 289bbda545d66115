// Streams the content bytes of a UnixFS file DAG, whole or a byte range, by walking the
// DAG depth first and fetching only the blocks that overlap the range (blocksizes in each
// node tell which children to skip). Pull style: each Next() returns the next piece
// (at most one leaf), so an HTTP handler can send a Range response without buffering it.
//
// Every block comes from a BlockSource, which checks its hash; the walk also checks that
// each child holds as many bytes as its parent says, so a corrupt or inconsistent DAG is
// reported (kBlockCorrupt), never served.
//
// Not thread-safe; `source` must outlive the reader.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "documents/block.h"
#include "documents/dag_pb.h"

namespace cx::documents {

class FileReader {
 public:
  // Opens `root` for bytes [offset, offset+length) (length clamped to the end; nullopt
  // = to the end). Error kBadRange when offset > file size.
  static Result<std::unique_ptr<FileReader>> Open(const BlockSource* source, const Cid& root,
                                                  uint64_t offset = 0,
                                                  std::optional<uint64_t> length = {});

  uint64_t file_size() const { return file_size_; }
  uint64_t offset() const { return begin_; }
  uint64_t length() const { return end_ - begin_; }

  // Replaces *out with the next piece; returns false when the range is exhausted.
  Result<bool> Next(std::string* out);
  // Reads the rest of the range into one string (for small documents and tests).
  Result<std::string> ReadAll();

 private:
  struct Frame {
    FileNode node;
    size_t next = 0;          // next link to visit
    uint64_t start = 0;       // file offset of the node's first byte
    uint64_t child_start = 0; // file offset of links[next]
    bool data_done = false;
  };
  FileReader(const BlockSource* source) : source_(source) {}

  const BlockSource* source_;
  uint64_t file_size_ = 0;
  uint64_t begin_ = 0, end_ = 0, pos_ = 0;
  std::vector<Frame> stack_;
  std::optional<std::string> single_;  // the whole file when the root is a raw leaf
};

// Largest DAG depth accepted (a 174-ary tree of 256 KiB leaves is 5 deep at 1 PiB).
inline constexpr size_t kMaxDepth = 16;

}  // namespace cx::documents
