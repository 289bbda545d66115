#include "documents/car.h"

#include <set>
#include <vector>

#include "documents/dag_pb.h"
#include "documents/errors.h"
#include "documents/file_reader.h"

namespace cx::documents {

std::string CarHeader(const Cid& root) {
  // DAG-CBOR map, keys in length-then-bytes order: "roots" before "version".
  std::string cbor;
  cbor += '\xa2';                       // map(2)
  cbor += '\x65'; cbor += "roots";      // text(5)
  cbor += '\x81';                       // array(1)
  cbor += '\xd8'; cbor += '\x2a';       // tag(42): CID
  std::string cid = root.Bytes();
  cbor += '\x58'; cbor += static_cast<char>(cid.size() + 1);  // bytes(37)
  cbor += '\x00';                       // multibase identity prefix
  cbor += cid;
  cbor += '\x67'; cbor += "version";    // text(7)
  cbor += '\x01';                       // 1
  std::string out;
  AppendVarint(out, cbor.size());
  out += cbor;
  return out;
}

Result<uint64_t> ExportCar(const BlockSource& source, const Cid& root, ByteSink& out) {
  CX_TRY(out.Write(CarHeader(root)));
  std::set<Cid> seen;
  uint64_t count = 0;
  // Explicit stack of pending links (reversed, so the first link is visited first).
  std::vector<std::pair<Cid, size_t>> stack{{root, 0}};
  std::string frame;
  while (!stack.empty()) {
    auto [cid, depth] = stack.back();
    stack.pop_back();
    if (!seen.insert(cid).second) continue;
    CX_ASSIGN_OR_RETURN(std::string block, source.GetBlock(cid));
    frame.clear();
    std::string cb = cid.Bytes();
    AppendVarint(frame, cb.size() + block.size());
    frame += cb;
    CX_TRY(out.Write(frame));
    CX_TRY(out.Write(block));
    ++count;
    if (cid.codec == Codec::kDagPb) {
      if (depth >= kMaxDepth) return Err(kBlockCorrupt, "DAG too deep");
      CX_ASSIGN_OR_RETURN(FileNode node, DecodeFileNode(block));
      for (size_t i = node.links.size(); i-- > 0;) {
        stack.emplace_back(node.links[i].cid, depth + 1);
      }
    }
  }
  return count;
}

}  // namespace cx::documents
