// dag-pb (PBNode/PBLink protobuf) carrying UnixFS "File" data, byte for byte as the
// JavaScript ipfs-unixfs-importer (with @ipld/dag-pb, field order "links-first") writes it:
//   PBNode: Links (field 2) in order, then Data (field 1).
//   PBLink: Hash (1, binary CID), Name (2, always present and empty), Tsize (3).
//   UnixFS Data: Type (1) = File (2), filesize (3), blocksizes (4, one varint per child,
//   not packed); no inline data, mode or mtime.
// The decoder is lenient about field order (it reads nodes written by go-ipfs too) but
// strict about wire types, lengths and bounds, since blocks come from disk or the network.
// Pure computation, no I/O. Thread-safe: free functions over values.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "documents/cid.h"

namespace cx::documents {

struct PbLink {
  Cid cid;
  uint64_t tsize = 0;  // bytes of the whole sub-DAG (blocks, not content)
};

// A decoded UnixFS file node.
struct FileNode {
  std::vector<PbLink> links;
  std::vector<uint64_t> blocksizes;  // content bytes under each link
  uint64_t filesize = 0;
  bool has_filesize = false;
  std::string data;  // inline content (leaves written without raw leaves); empty here
};

// Encodes an interior File node over `links`, whose content sizes are `blocksizes`.
// filesize is the sum of blocksizes. Sizes must match in length.
std::string EncodeFileNode(const std::vector<PbLink>& links,
                           const std::vector<uint64_t>& blocksizes);

// Decodes a dag-pb block holding a UnixFS File (or Raw) node. Error kBlockCorrupt on
// malformed protobuf, a non-file UnixFS type, or links and blocksizes that disagree.
Result<FileNode> DecodeFileNode(std::string_view block);

}  // namespace cx::documents
