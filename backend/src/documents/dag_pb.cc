#include "documents/dag_pb.h"

#include "documents/errors.h"

namespace cx::documents {

namespace {

constexpr uint64_t kUnixFsRaw = 0;
constexpr uint64_t kUnixFsFile = 2;

void AppendTag(std::string& out, uint32_t field, uint32_t wire) {
  AppendVarint(out, (static_cast<uint64_t>(field) << 3) | wire);
}

void AppendBytesField(std::string& out, uint32_t field, std::string_view bytes) {
  AppendTag(out, field, 2);
  AppendVarint(out, bytes.size());
  out.append(bytes);
}

Error Corrupt(std::string msg) { return Err(kBlockCorrupt, "dag-pb: " + std::move(msg)); }

// One protobuf field: number, wire type and either a varint or a byte slice.
struct Field {
  uint32_t number = 0;
  uint32_t wire = 0;
  uint64_t varint = 0;
  std::string_view bytes;
};

// Reads the next field at `pos`; false with `err` set on malformed input.
bool NextField(std::string_view in, size_t& pos, Field& f, std::string& err) {
  uint64_t key = 0;
  if (!ReadVarint(in, pos, key)) { err = "truncated field key"; return false; }
  f.number = static_cast<uint32_t>(key >> 3);
  f.wire = static_cast<uint32_t>(key & 7);
  if (f.number == 0 || (key >> 3) > 0x1fffffff) { err = "bad field number"; return false; }
  switch (f.wire) {
    case 0:
      if (!ReadVarint(in, pos, f.varint)) { err = "truncated varint"; return false; }
      return true;
    case 2: {
      uint64_t len = 0;
      if (!ReadVarint(in, pos, len) || len > in.size() - pos) {
        err = "length-delimited field runs past the end";
        return false;
      }
      f.bytes = in.substr(pos, len);
      pos += len;
      return true;
    }
    case 1:
      if (in.size() - pos < 8) { err = "truncated fixed64"; return false; }
      pos += 8;
      return true;
    case 5:
      if (in.size() - pos < 4) { err = "truncated fixed32"; return false; }
      pos += 4;
      return true;
    default:
      err = "unsupported wire type";
      return false;
  }
}

}  // namespace

std::string EncodeFileNode(const std::vector<PbLink>& links,
                           const std::vector<uint64_t>& blocksizes) {
  std::string data;
  AppendTag(data, 1, 0);
  AppendVarint(data, kUnixFsFile);
  uint64_t filesize = 0;
  for (uint64_t b : blocksizes) filesize += b;
  AppendTag(data, 3, 0);
  AppendVarint(data, filesize);
  for (uint64_t b : blocksizes) {
    AppendTag(data, 4, 0);
    AppendVarint(data, b);
  }

  std::string out;
  out.reserve(links.size() * 48 + data.size() + 8);
  std::string link;
  for (const PbLink& l : links) {
    link.clear();
    AppendBytesField(link, 1, l.cid.Bytes());
    AppendBytesField(link, 2, "");
    AppendTag(link, 3, 0);
    AppendVarint(link, l.tsize);
    AppendBytesField(out, 2, link);
  }
  AppendBytesField(out, 1, data);
  return out;
}

Result<FileNode> DecodeFileNode(std::string_view block) {
  FileNode node;
  std::string err;
  std::string_view unixfs;
  bool has_data = false;
  size_t pos = 0;
  Field f;
  while (pos < block.size()) {
    if (!NextField(block, pos, f, err)) return Corrupt(err);
    if (f.number == 1 && f.wire == 2) {
      if (has_data) return Corrupt("PBNode has two Data fields");
      has_data = true;
      unixfs = f.bytes;
    } else if (f.number == 2 && f.wire == 2) {
      PbLink link;
      bool has_hash = false;
      size_t lp = 0;
      Field lf;
      while (lp < f.bytes.size()) {
        if (!NextField(f.bytes, lp, lf, err)) return Corrupt("PBLink: " + err);
        if (lf.number == 1 && lf.wire == 2) {
          CX_ASSIGN_OR_RETURN(link.cid, Cid::FromBytes(lf.bytes));
          has_hash = true;
        } else if (lf.number == 3 && lf.wire == 0) {
          link.tsize = lf.varint;
        } else if (lf.number == 2 && lf.wire == 2) {
          // Name: empty for file chunks; ignored.
        } else {
          return Corrupt("unexpected PBLink field");
        }
      }
      if (!has_hash) return Corrupt("PBLink without Hash");
      node.links.push_back(link);
    } else {
      return Corrupt("unexpected PBNode field");
    }
  }
  if (!has_data) return Corrupt("PBNode without UnixFS Data");

  uint64_t type = 0;
  bool has_type = false;
  pos = 0;
  while (pos < unixfs.size()) {
    if (!NextField(unixfs, pos, f, err)) return Corrupt("UnixFS: " + err);
    if (f.number == 1 && f.wire == 0) {
      type = f.varint;
      has_type = true;
    } else if (f.number == 2 && f.wire == 2) {
      node.data.assign(f.bytes);
    } else if (f.number == 3 && f.wire == 0) {
      node.filesize = f.varint;
      node.has_filesize = true;
    } else if (f.number == 4 && f.wire == 0) {
      node.blocksizes.push_back(f.varint);
    } else if (f.number == 4 && f.wire == 2) {  // packed encoding, accepted on read
      size_t bp = 0;
      while (bp < f.bytes.size()) {
        uint64_t v = 0;
        if (!ReadVarint(f.bytes, bp, v)) return Corrupt("bad packed blocksizes");
        node.blocksizes.push_back(v);
      }
    } else {
      // hashType, fanout, mode, mtime: irrelevant to file content.
    }
  }
  if (!has_type || (type != kUnixFsFile && type != kUnixFsRaw)) {
    return Corrupt("UnixFS node is not a file");
  }
  if (node.blocksizes.size() != node.links.size()) {
    return Corrupt("UnixFS blocksizes do not match the links");
  }
  uint64_t sum = node.data.size();
  for (uint64_t b : node.blocksizes) {
    if (b > (UINT64_C(1) << 53) || sum + b < sum) return Corrupt("UnixFS sizes overflow");
    sum += b;
  }
  if (node.has_filesize && node.filesize != sum) {
    return Corrupt("UnixFS filesize disagrees with blocksizes");
  }
  node.filesize = sum;
  return node;
}

}  // namespace cx::documents
