#include "documents/block.h"

#include "documents/errors.h"

namespace cx::documents {

Result<void> MemoryBlockStore::PutBlock(const Cid& cid, std::string_view bytes) {
  blocks_[cid] = keep_ ? std::string(bytes) : std::string();
  return Ok();
}

Result<std::string> MemoryBlockStore::GetBlock(const Cid& cid) const {
  auto it = blocks_.find(cid);
  if (it == blocks_.end()) return Err(Code::kNotFound, "block not found: " + cid.ToString());
  if (Cid::Of(cid.codec, it->second) != cid) {
    return Err(kBlockCorrupt, "block does not match its CID: " + cid.ToString());
  }
  return it->second;
}

}  // namespace cx::documents
