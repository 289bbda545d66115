#include "documents/file_reader.h"

#include "documents/errors.h"

namespace cx::documents {

Result<std::unique_ptr<FileReader>> FileReader::Open(const BlockSource* source,
                                                     const Cid& root, uint64_t offset,
                                                     std::optional<uint64_t> length) {
  std::unique_ptr<FileReader> r(new FileReader(source));
  CX_ASSIGN_OR_RETURN(std::string block, source->GetBlock(root));
  if (root.codec == Codec::kRaw) {
    r->file_size_ = block.size();
    r->single_ = std::move(block);
  } else {
    CX_ASSIGN_OR_RETURN(FileNode node, DecodeFileNode(block));
    r->file_size_ = node.filesize;
    r->stack_.push_back(Frame{std::move(node), 0, 0, 0, false});
  }
  if (offset > r->file_size_) {
    return Err(kBadRange, "range starts at " + std::to_string(offset) +
                              " beyond the document size " + std::to_string(r->file_size_),
               "range");
  }
  uint64_t avail = r->file_size_ - offset;
  r->begin_ = r->pos_ = offset;
  r->end_ = offset + (length && *length < avail ? *length : avail);
  return r;
}

Result<bool> FileReader::Next(std::string* out) {
  out->clear();
  if (pos_ >= end_) return false;
  if (single_) {
    out->assign(*single_, pos_, end_ - pos_);
    pos_ = end_;
    return true;
  }
  while (!stack_.empty()) {
    Frame& f = stack_.back();
    if (!f.data_done) {
      f.data_done = true;
      f.child_start = f.start + f.node.data.size();
      uint64_t ds = f.start, de = f.start + f.node.data.size();
      if (de > pos_ && ds < end_) {
        uint64_t from = pos_ - ds, to = std::min(de, end_) - ds;
        out->assign(f.node.data, from, to - from);
        pos_ += to - from;
        return true;
      }
    }
    if (f.next >= f.node.links.size()) {
      stack_.pop_back();
      continue;
    }
    size_t i = f.next++;
    uint64_t cs = f.child_start, ce = cs + f.node.blocksizes[i];
    f.child_start = ce;
    if (ce <= pos_ || cs == ce) continue;  // before the range
    if (cs >= end_) {                      // past the range: done
      stack_.clear();
      break;
    }
    Cid child = f.node.links[i].cid;
    CX_ASSIGN_OR_RETURN(std::string block, source_->GetBlock(child));
    if (child.codec == Codec::kRaw) {
      if (block.size() != ce - cs) {
        return Err(kBlockCorrupt, "leaf " + child.ToString() + " holds " +
                                      std::to_string(block.size()) + " bytes, parent says " +
                                      std::to_string(ce - cs));
      }
      uint64_t from = pos_ - cs, to = std::min(ce, end_) - cs;
      if (from == 0 && to == block.size()) {
        *out = std::move(block);
      } else {
        out->assign(block, from, to - from);
      }
      pos_ += to - from;
      return true;
    }
    CX_ASSIGN_OR_RETURN(FileNode node, DecodeFileNode(block));
    if (node.filesize != ce - cs) {
      return Err(kBlockCorrupt, "node " + child.ToString() + " size disagrees with its parent");
    }
    if (stack_.size() >= kMaxDepth) return Err(kBlockCorrupt, "DAG too deep");
    stack_.push_back(Frame{std::move(node), 0, cs, cs, false});
  }
  if (pos_ < end_) return Err(kBlockCorrupt, "DAG ended before its declared size");
  return false;
}

Result<std::string> FileReader::ReadAll() {
  std::string all, piece;
  all.reserve(static_cast<size_t>(end_ - pos_));
  for (;;) {
    CX_ASSIGN_OR_RETURN(bool more, Next(&piece));
    if (!more) break;
    all += piece;
  }
  return all;
}

}  // namespace cx::documents
