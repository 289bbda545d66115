#include "documents/document_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <openssl/crypto.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "core/sha256.h"
#include "documents/dag_pb.h"
#include "documents/errors.h"
#include "documents/file_reader.h"
#include "documents/async_sink.h"
#include "documents/car.h"

namespace cx::documents {

namespace {

// strerror's text without strerror's shared buffer (documents are read and written from
// several threads); std::system_category() formats it with strerror_r.
std::string ErrnoText(int e) { return std::system_category().message(e); }

bool ValidMediaType(std::string_view t) {
  if (t.empty() || t.size() > 200) return false;
  size_t slash = t.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == t.size()) return false;
  for (char c : t) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return true;
}

bool ValidOwner(std::string_view s) {
  if (s.size() > 200) return false;
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '=') return false;
  }
  return true;
}

std::string Hex(std::string_view bytes) {
  return ToHex(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace

bool MayRead(const DocumentInfo& info, std::string_view user, bool is_admin_or_auditor) {
  if (!info.is_private && !info.end_to_end) return true;
  if (is_admin_or_auditor) return true;
  return !user.empty() && user == info.owner;
}

Result<std::string> DocumentReader::ReadAll() {
  std::string all, piece;
  all.reserve(static_cast<size_t>(length()));
  for (;;) {
    CX_ASSIGN_OR_RETURN(bool more, Next(&piece));
    if (!more) return all;
    all += piece;
  }
}

// ---- metadata -----------------------------------------------------------------------

std::string FormatMeta(const DocumentInfo& i) {
  std::ostringstream o;
  o << "cx-doc-meta=1\n"
    << "cid=" << i.cid.ToString() << "\n"
    << "size=" << i.size << "\n"
    << "stored_size=" << i.stored_size << "\n"
    << "media_type=" << i.media_type << "\n"
    << "owner=" << i.owner << "\n"
    << "private=" << (i.is_private ? 1 : 0) << "\n"
    << "e2e=" << (i.end_to_end ? 1 : 0) << "\n"
    << "created=" << i.created_unix << "\n";
  if (i.is_private) {
    o << "plaintext_sha256=" << i.plaintext_sha256 << "\n"
      << "wrapped_key=" << i.wrapped_key << "\n"
      << "key_id=" << i.key_id << "\n";
  }
  return o.str();
}

Result<DocumentInfo> ParseMeta(std::string_view text) {
  DocumentInfo info;
  bool version = false, has_cid = false;
  auto bad = [](const std::string& what) {
    return Err(kBlockCorrupt, "document metadata: " + what);
  };
  auto num = [](std::string_view v, uint64_t& out) {
    if (v.empty() || v.size() > 19) return false;
    out = 0;
    for (char c : v) {
      if (c < '0' || c > '9') return false;
      out = out * 10 + static_cast<uint64_t>(c - '0');
    }
    return true;
  };
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.empty()) continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) return bad("line without '='");
    std::string_view k = line.substr(0, eq), v = line.substr(eq + 1);
    uint64_t n = 0;
    if (k == "cx-doc-meta") {
      if (v != "1") return bad("unknown version");
      version = true;
    } else if (k == "cid") {
      CX_ASSIGN_OR_RETURN(info.cid, Cid::Parse(v));
      has_cid = true;
    } else if (k == "size") {
      if (!num(v, info.size)) return bad("size");
    } else if (k == "stored_size") {
      if (!num(v, info.stored_size)) return bad("stored_size");
    } else if (k == "media_type") {
      info.media_type = std::string(v);
    } else if (k == "owner") {
      info.owner = std::string(v);
    } else if (k == "private") {
      info.is_private = v == "1";
    } else if (k == "e2e") {
      info.end_to_end = v == "1";
    } else if (k == "created") {
      bool neg = !v.empty() && v[0] == '-';
      if (!num(neg ? v.substr(1) : v, n)) return bad("created");
      info.created_unix = neg ? -static_cast<int64_t>(n) : static_cast<int64_t>(n);
    } else if (k == "plaintext_sha256") {
      info.plaintext_sha256 = std::string(v);
    } else if (k == "wrapped_key") {
      info.wrapped_key = std::string(v);
    } else if (k == "key_id") {
      info.key_id = std::string(v);
    }  // unknown keys: written by a newer version; ignored
  }
  if (!version || !has_cid) return bad("missing version or cid");
  return info;
}

// ---- store --------------------------------------------------------------------------

Result<std::unique_ptr<DocumentStore>> DocumentStore::Open(Options options) {
  if (options.dir.empty()) return Err(Code::kInvalidField, "data directory not set", "dir");
  CX_ASSIGN_OR_RETURN(BlockStore blocks, BlockStore::Open(options.dir + "/blocks"));
  std::string meta = options.dir + "/meta";
  if (::mkdir(meta.c_str(), 0755) != 0 && errno != EEXIST) {
    return Err(Code::kIo, "mkdir " + meta + ": " + ErrnoText(errno));
  }
  CX_ASSIGN_OR_RETURN(E2eStore e2e, E2eStore::Open(options.dir + "/e2e"));
  return std::unique_ptr<DocumentStore>(
      new DocumentStore(options.dir, std::move(blocks), std::move(options.master_key), std::move(e2e)));
}

DocumentStore::~DocumentStore() = default;

Result<void> CheckEndToEndPaper(const DocumentStore& store, std::string_view cid, std::string_view owner) {
  auto parsed = Cid::Parse(cid);
  if (!parsed.ok()) return Err(Code::kInvalidField, "not a CID: " + std::string(cid), "documents");
  auto info = store.Stat(*parsed);
  if (!info.ok() || !info->has_metadata) return Err(Code::kInvalidField, "no such document: " + std::string(cid), "documents");
  if (!info->end_to_end) return Err(Code::kInvalidField, "papers must be encrypted in the browser (e2e): " + std::string(cid), "documents");
  if (info->owner != owner) return Err(Code::kInvalidField, "not your document: " + std::string(cid), "documents");
  auto env = store.e2e().GetEnvelope(parsed->ToString());
  if (!env.ok() || !env->has_value()) return Err(Code::kInvalidField, "the paper has no envelope (no reviewer could open it): " + std::string(cid), "documents");
  return Ok();
}

Result<void> DocumentStore::StartPinning(PinService::Options options) {
  if (pins_) return Err(Code::kConflict, "pinning already started");
  CX_ASSIGN_OR_RETURN(pins_, PinService::Start(this, std::move(options)));
  return Ok();
}

Result<void> DocumentStore::WriteMeta(const DocumentInfo& info) {
  std::string path = dir_ + "/meta/" + info.cid.ToString();
  static std::atomic<uint64_t> counter{0};
  std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." +
                    std::to_string(counter.fetch_add(1));
  std::string text = FormatMeta(info);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Err(Code::kIo, "create " + tmp + ": " + ErrnoText(errno));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = (::close(fd) == 0) && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Err(Code::kIo, "write " + path + ": " + ErrnoText(errno));
  }
  return Ok();
}

Result<Key256> DocumentStore::DocumentKey(const DocumentInfo& info) const {
  if (!key_) return Err(kNoKey, "private document and no master key configured");
  std::string wrapped;
  if (!FromHexBytes(info.wrapped_key, wrapped)) {
    return Err(kBlockCorrupt, "document metadata: bad wrapped key");
  }
  return UnwrapKey(*key_, wrapped);
}

// Writer: plaintext -> (sealer) -> importer -> block store.
class PutWriter final : public DocumentWriter {
 public:
  PutWriter(DocumentStore* store, const PutOptions& o, std::optional<Key256> dek)
      : store_(store), opt_(o), dek_(dek), async_(&store->blocks_), importer_(&async_) {
    if (dek_) segment_.reserve(kPlainSegment);
  }
  ~PutWriter() override {
    if (dek_) OPENSSL_cleanse(dek_->data(), dek_->size());
  }

  Result<void> Write(const void* data, size_t len) override {
    if (done_) return Err(Code::kInternal, "writer used after Finish or error");
    if (opt_.max_size != 0 && len > opt_.max_size - std::min(opt_.max_size, total_)) {
      done_ = true;
      return Err(Code::kTooLarge,
                 "document exceeds the size limit of " + std::to_string(opt_.max_size) + " bytes");
    }
    total_ += len;
    if (!dek_) return Guard(importer_.Write(data, len));
    plain_hash_.Update(data, len);
    const char* p = static_cast<const char*>(data);
    while (len > 0) {
      // A full segment is sealed only once more bytes arrive: the last one is marked.
      if (segment_.size() == kPlainSegment) CX_TRY(Guard(Seal(false)));
      size_t take = std::min(len, kPlainSegment - segment_.size());
      segment_.append(p, take);
      p += take;
      len -= take;
    }
    return Ok();
  }

  Result<DocumentInfo> Finish() override {
    if (done_) return Err(Code::kInternal, "writer used after Finish or error");
    done_ = true;
    DocumentInfo info;
    if (dek_) {
      CX_TRY(Seal(true));
      info.is_private = true;
      info.plaintext_sha256 = ToHex(plain_hash_.Final());
      info.wrapped_key = Hex(WrapKey(*store_->key_, *dek_));
      info.key_id = store_->key_->id;
    }
    CX_ASSIGN_OR_RETURN(ImportResult r, importer_.Finish());
    CX_TRY(async_.Flush());
    info.cid = r.root;
    info.size = total_;
    info.stored_size = r.file_size;
    info.media_type = opt_.media_type.empty() ? kDefaultMediaType : opt_.media_type;
    info.owner = opt_.owner;
    info.end_to_end = opt_.end_to_end;
    info.created_unix = opt_.created_unix;
    CX_TRY(store_->WriteMeta(info));
    CX_TRY(store_->blocks_.Sync());
    // Pinning configured: queued durably before the put is acknowledged (never lost).
    if (store_->pins_) CX_TRY(store_->pins_->Enqueue(info.cid));
    return info;
  }

  uint64_t bytes_written() const override { return total_; }

 private:
  Result<void> Seal(bool last) {
    std::string sealed = SealSegment(*dek_, index_++, last, segment_);
    segment_.clear();
    return importer_.Write(sealed.data(), sealed.size());
  }
  Result<void> Guard(Result<void> r) {
    if (!r.ok()) done_ = true;
    return r;
  }

  DocumentStore* store_;
  PutOptions opt_;
  std::optional<Key256> dek_;
  AsyncBlockSink async_;  // block files are written on its thread
  UnixFsImporter importer_;
  std::string segment_;
  uint64_t index_ = 0;
  uint64_t total_ = 0;
  Sha256Hasher plain_hash_;
  bool done_ = false;
};

Result<std::unique_ptr<DocumentWriter>> DocumentStore::BeginPut(const PutOptions& o) {
  if (!o.media_type.empty() && !ValidMediaType(o.media_type)) {
    return Err(Code::kInvalidField, "media type must look like type/subtype", "media_type");
  }
  if (!ValidOwner(o.owner)) return Err(Code::kInvalidField, "bad owner id", "owner");
  if (o.is_private && o.end_to_end) {
    return Err(Code::kInvalidField, "a document is either private or end-to-end encrypted",
               "private");
  }
  std::optional<Key256> dek;
  if (o.is_private) {
    if (!key_) return Err(kNoKey, "private documents need a master key (key file or " +
                                      std::string(kMasterKeyEnv) + ")");
    dek = RandomKey();
  }
  return std::unique_ptr<DocumentWriter>(new PutWriter(this, o, dek));
}

Result<DocumentInfo> DocumentStore::PutStream(std::istream& in, const PutOptions& o) {
  CX_ASSIGN_OR_RETURN(auto w, BeginPut(o));
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    std::streamsize n = in.gcount();
    if (n > 0) CX_TRY(w->Write(buf.data(), static_cast<size_t>(n)));
  }
  if (in.bad()) return Err(Code::kIo, "read error on input stream");
  return w->Finish();
}

Result<DocumentInfo> DocumentStore::PutFile(const std::string& path, const PutOptions& o) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Err(Code::kIo, "open " + path + ": " + ErrnoText(errno), "file");
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  auto w = BeginPut(o);
  if (!w.ok()) {
    ::close(fd);
    return w.take_error();
  }
  std::vector<char> buf(1 << 20);
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Error e = Err(Code::kIo, "read " + path + ": " + ErrnoText(errno), "file");
      ::close(fd);
      return e;
    }
    if (n == 0) break;
    auto r = (*w)->Write(buf.data(), static_cast<size_t>(n));
    if (!r.ok()) {
      ::close(fd);
      return r.take_error();
    }
  }
  ::close(fd);
  return (*w)->Finish();
}

Result<DocumentInfo> DocumentStore::PutBytes(std::string_view bytes, const PutOptions& o) {
  CX_ASSIGN_OR_RETURN(auto w, BeginPut(o));
  CX_TRY(w->Write(bytes.data(), bytes.size()));
  return w->Finish();
}

bool DocumentStore::Has(const Cid& cid) const { return blocks_.Has(cid); }

Result<DocumentInfo> DocumentStore::Stat(const Cid& cid) const {
  std::string path = dir_ + "/meta/" + cid.ToString();
  std::ifstream in(path, std::ios::binary);
  if (in) {
    std::stringstream ss;
    ss << in.rdbuf();
    CX_ASSIGN_OR_RETURN(DocumentInfo info, ParseMeta(ss.str()));
    if (info.cid != cid) return Err(kBlockCorrupt, "metadata names another CID: " + path);
    return info;
  }
  // No record: a DAG that came from elsewhere (public by definition).
  CX_ASSIGN_OR_RETURN(auto reader, FileReader::Open(&blocks_, cid, 0, 0));
  DocumentInfo info;
  info.cid = cid;
  info.size = info.stored_size = reader->file_size();
  info.has_metadata = false;
  return info;
}

namespace {

class PublicReader final : public DocumentReader {
 public:
  PublicReader(DocumentInfo info, std::unique_ptr<FileReader> r)
      : info_(std::move(info)), r_(std::move(r)) {}
  Result<bool> Next(std::string* out) override { return r_->Next(out); }
  const DocumentInfo& info() const override { return info_; }
  uint64_t offset() const override { return r_->offset(); }
  uint64_t length() const override { return r_->length(); }

 private:
  DocumentInfo info_;
  std::unique_ptr<FileReader> r_;
};

// Reads whole sealed segments from the ciphertext DAG, opens them, and trims to the
// plaintext range.
class PrivateReader final : public DocumentReader {
 public:
  PrivateReader(DocumentInfo info, Key256 dek, std::unique_ptr<FileReader> r,
                uint64_t first_segment, uint64_t segments, uint64_t begin, uint64_t end)
      : info_(std::move(info)), dek_(dek), r_(std::move(r)), index_(first_segment),
        segments_(segments), begin_(begin), end_(end), pos_(begin) {}
  ~PrivateReader() override { OPENSSL_cleanse(dek_.data(), dek_.size()); }

  Result<bool> Next(std::string* out) override {
    out->clear();
    if (pos_ >= end_) return false;
    // Collect one sealed segment.
    while (sealed_.size() < kSealedSegment) {
      CX_ASSIGN_OR_RETURN(bool more, r_->Next(&piece_));
      if (!more) break;
      sealed_ += piece_;
    }
    if (sealed_.size() > kSealedSegment) {
      return Err(kBlockCorrupt, "ciphertext pieces do not align with segments");
    }
    bool last = index_ + 1 == segments_;
    CX_ASSIGN_OR_RETURN(std::string plain, OpenSegment(dek_, index_, last, sealed_));
    uint64_t seg_start = index_ * kPlainSegment;
    ++index_;
    sealed_.clear();
    uint64_t from = pos_ - seg_start;
    uint64_t to = std::min<uint64_t>(end_ - seg_start, plain.size());
    if (from > to) return Err(kBlockCorrupt, "segment shorter than expected");
    out->assign(plain, from, to - from);
    pos_ += to - from;
    if (to == from) return Err(kBlockCorrupt, "empty segment inside the range");
    return true;
  }
  const DocumentInfo& info() const override { return info_; }
  uint64_t offset() const override { return begin_; }
  uint64_t length() const override { return end_ - begin_; }

 private:
  DocumentInfo info_;
  Key256 dek_;
  std::unique_ptr<FileReader> r_;
  uint64_t index_, segments_, begin_, end_, pos_;
  std::string sealed_, piece_;
};

}  // namespace

Result<std::unique_ptr<DocumentReader>> DocumentStore::Open(const Cid& cid, uint64_t offset,
                                                            std::optional<uint64_t> length) const {
  CX_ASSIGN_OR_RETURN(DocumentInfo info, Stat(cid));
  if (!info.is_private) {
    CX_ASSIGN_OR_RETURN(auto r, FileReader::Open(&blocks_, cid, offset, length));
    if (r->file_size() != info.size) {
      return Err(kBlockCorrupt, "DAG size disagrees with the metadata of " + cid.ToString());
    }
    return std::unique_ptr<DocumentReader>(new PublicReader(std::move(info), std::move(r)));
  }
  CX_ASSIGN_OR_RETURN(Key256 dek, DocumentKey(info));
  CX_ASSIGN_OR_RETURN(uint64_t plain_size, PlainSize(info.stored_size));
  if (plain_size != info.size) return Err(kBlockCorrupt, "encrypted size disagrees with metadata");
  if (offset > info.size) {
    return Err(kBadRange, "range starts at " + std::to_string(offset) +
                              " beyond the document size " + std::to_string(info.size),
               "range");
  }
  uint64_t avail = info.size - offset;
  uint64_t end = offset + (length && *length < avail ? *length : avail);
  uint64_t segments = (info.stored_size + kSealedSegment - 1) / kSealedSegment;
  uint64_t first = offset / kPlainSegment;
  uint64_t last = end == offset ? first : (end - 1) / kPlainSegment;
  uint64_t c_begin = first * kSealedSegment;
  uint64_t c_end = std::min<uint64_t>((last + 1) * kSealedSegment, info.stored_size);
  if (end == offset) c_end = c_begin;  // empty range: read nothing
  CX_ASSIGN_OR_RETURN(auto r, FileReader::Open(&blocks_, cid, c_begin, c_end - c_begin));
  if (r->file_size() != info.stored_size) {
    return Err(kBlockCorrupt, "DAG size disagrees with the metadata of " + cid.ToString());
  }
  return std::unique_ptr<DocumentReader>(
      new PrivateReader(std::move(info), dek, std::move(r), first, segments, offset, end));
}

Result<std::string> DocumentStore::Read(const Cid& cid, uint64_t offset,
                                        std::optional<uint64_t> length) const {
  CX_ASSIGN_OR_RETURN(auto r, Open(cid, offset, length));
  return r->ReadAll();
}

Result<VerifyReport> DocumentStore::Verify(const Cid& cid) const {
  CX_ASSIGN_OR_RETURN(DocumentInfo info, Stat(cid));
  VerifyReport rep;
  // Every distinct block, hash-checked (ExportCar visits each once).
  struct Counter final : ByteSink {
    Result<void> Write(std::string_view) override { return Ok(); }
  } discard;
  CX_ASSIGN_OR_RETURN(rep.blocks, ExportCar(cid, discard));
  // The content walk checks sizes; private documents are also decrypted and compared.
  if (info.is_private && !key_) {
    CX_ASSIGN_OR_RETURN(auto r, FileReader::Open(&blocks_, cid));
    std::string piece;
    for (;;) {
      CX_ASSIGN_OR_RETURN(bool more, r->Next(&piece));
      if (!more) break;
      rep.bytes += piece.size();
    }
    if (rep.bytes != info.stored_size) return Err(kBlockCorrupt, "stored size mismatch");
    return rep;
  }
  CX_ASSIGN_OR_RETURN(auto r, Open(cid));
  Sha256Hasher h;
  std::string piece;
  for (;;) {
    CX_ASSIGN_OR_RETURN(bool more, r->Next(&piece));
    if (!more) break;
    h.Update(piece);
    rep.bytes += piece.size();
  }
  if (rep.bytes != info.size) return Err(kBlockCorrupt, "document size mismatch");
  if (info.is_private) {
    if (ToHex(h.Final()) != info.plaintext_sha256) {
      return Err(kBlockCorrupt, "plaintext SHA-256 does not match the metadata");
    }
    rep.plaintext_checked = true;
  }
  return rep;
}

Result<uint64_t> DocumentStore::ExportCar(const Cid& cid, ByteSink& out) const {
  return documents::ExportCar(blocks_, cid, out);
}

}  // namespace cx::documents
