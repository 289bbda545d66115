#include "documents/importer.h"

#include <algorithm>
#include <cstring>

#include "documents/dag_pb.h"

namespace cx::documents {

UnixFsImporter::UnixFsImporter(BlockSink* sink, ImporterOptions options)
    : sink_(sink), opt_(options) {
  // A zero chunk or a fan-out below 2 has no finite DAG; clamp to the smallest valid.
  opt_.chunk_size = std::max<size_t>(opt_.chunk_size, 1);
  opt_.max_links = std::max<size_t>(opt_.max_links, 2);
  chunk_.reserve(opt_.chunk_size);
  levels_.emplace_back();
}

Result<void> UnixFsImporter::EmitLeaf(const char* data, size_t len) {
  std::string_view bytes(data, len);
  Cid cid = Cid::Of(Codec::kRaw, bytes);
  CX_TRY(sink_->PutBlock(cid, bytes));
  ++blocks_;
  levels_[0].push_back(Entry{cid, len, len});
  if (levels_[0].size() == opt_.max_links) return Reduce(0);
  return Ok();
}

Result<void> UnixFsImporter::Reduce(size_t level) {
  std::vector<Entry>& entries = levels_[level];
  std::vector<PbLink> links;
  std::vector<uint64_t> sizes;
  links.reserve(entries.size());
  sizes.reserve(entries.size());
  uint64_t tsize = 0, content = 0;
  for (const Entry& e : entries) {
    // The JS importer drops empty raw leaves from parents; only the empty file has one,
    // and it never gets a parent.
    if (e.content == 0) continue;
    links.push_back(PbLink{e.cid, e.tsize});
    sizes.push_back(e.content);
    tsize += e.tsize;
    content += e.content;
  }
  std::string block = EncodeFileNode(links, sizes);
  Cid cid = Cid::Of(Codec::kDagPb, block);
  CX_TRY(sink_->PutBlock(cid, block));
  ++blocks_;
  entries.clear();
  if (levels_.size() == level + 1) levels_.emplace_back();
  std::vector<Entry>& up = levels_[level + 1];
  up.push_back(Entry{cid, tsize + block.size(), content});
  if (up.size() == opt_.max_links) return Reduce(level + 1);
  return Ok();
}

Result<void> UnixFsImporter::Write(const void* data, size_t len) {
  if (failed_ || finished_) return Err(Code::kInternal, "importer used after error or Finish");
  const char* p = static_cast<const char*>(data);
  total_ += len;
  auto fail = [this](Result<void> r) {
    if (!r.ok()) failed_ = true;
    return r;
  };
  if (!chunk_.empty()) {
    size_t take = std::min(len, opt_.chunk_size - chunk_.size());
    chunk_.append(p, take);
    p += take;
    len -= take;
    if (chunk_.size() < opt_.chunk_size) return Ok();
    CX_TRY(fail(EmitLeaf(chunk_.data(), chunk_.size())));
    chunk_.clear();
  }
  // Whole chunks straight from the caller's buffer (no copy); the rest is buffered.
  while (len >= opt_.chunk_size) {
    CX_TRY(fail(EmitLeaf(p, opt_.chunk_size)));
    p += opt_.chunk_size;
    len -= opt_.chunk_size;
  }
  chunk_.append(p, len);
  return Ok();
}

Result<ImportResult> UnixFsImporter::Finish() {
  if (failed_ || finished_) return Err(Code::kInternal, "importer used after error or Finish");
  finished_ = true;
  // The fixed-size chunker yields the remainder, or one empty chunk for an empty file.
  if (!chunk_.empty() || total_ == 0) {
    auto r = EmitLeaf(chunk_.data(), chunk_.size());
    if (!r.ok()) return r.take_error();
    chunk_.clear();
  }
  for (size_t level = 0;; ++level) {
    bool above = false;
    for (size_t l = level + 1; l < levels_.size(); ++l) above |= !levels_[l].empty();
    std::vector<Entry>& entries = levels_[level];
    if (!above && entries.size() == 1) {
      return ImportResult{entries[0].cid, entries[0].content, entries[0].tsize, blocks_};
    }
    if (!entries.empty()) {
      auto r = Reduce(level);
      if (!r.ok()) return r.take_error();
    }
  }
}

Result<ImportResult> ComputeCid(std::string_view content, ImporterOptions options) {
  NullBlockSink sink;
  UnixFsImporter imp(&sink, options);
  CX_TRY(imp.Write(content.data(), content.size()));
  return imp.Finish();
}

}  // namespace cx::documents
