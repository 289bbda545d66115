#include "documents/doc_cli.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "documents/document_store.h"
#include "documents/errors.h"
#include "documents/importer.h"
#include "documents/pin_client.h"

namespace cx::documents {

namespace {

constexpr char kUsage[] =
    "usage: carbonx doc <command> [options]\n"
    "  add FILE [--data DIR] [--private | --e2e] [--media-type T] [--owner U] [--key-file F]\n"
    "  get CID [--data DIR] [--out FILE] [--offset N] [--length N] [--key-file F]\n"
    "  stat CID [--data DIR]\n"
    "  verify CID [--data DIR] [--key-file F]\n"
    "  car CID --out FILE [--data DIR]\n"
    "  cid FILE\n"
    "  pin CID --api URL [--data DIR] [--attempts N]\n"
    "  pins [--data DIR]            pending pins: cid, attempts, next attempt, last error\n";

int Usage(const std::string& why) {
  std::fprintf(stderr, "error: %s\n%s", why.c_str(), kUsage);
  return 2;
}

int Fail(const Error& e) {
  std::fprintf(stderr, "error: %s: %s\n", std::string(CodeName(e.code)).c_str(),
               e.message.c_str());
  return 1;
}

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> opts;
  bool is_private = false;
  bool end_to_end = false;
};

bool ParseArgs(int argc, char** argv, Args& a, std::string& err) {
  static const std::vector<std::string> kValued = {"--data", "--out", "--offset", "--length",
                                                   "--media-type", "--owner", "--key-file",
                                                   "--api", "--attempts"};
  for (int i = 2; i < argc; ++i) {
    std::string s = argv[i];
    if (s == "--private") {
      a.is_private = true;
    } else if (s == "--e2e") {
      a.end_to_end = true;
    } else if (s.rfind("--", 0) == 0) {
      std::string key = s, value;
      size_t eq = s.find('=');
      if (eq != std::string::npos) {
        key = s.substr(0, eq);
        value = s.substr(eq + 1);
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        err = "option " + s + " needs a value";
        return false;
      }
      bool known = false;
      for (const auto& k : kValued) known |= k == key;
      if (!known) {
        err = "unknown option " + key;
        return false;
      }
      a.opts[key] = value;
    } else {
      a.positional.push_back(s);
    }
  }
  return true;
}

std::optional<uint64_t> ParseU64(const std::string& s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

std::string DataDir(const Args& a) {
  auto it = a.opts.find("--data");
  if (it != a.opts.end()) return it->second;
  if (const char* d = std::getenv("CX_DATA"); d && *d) return std::string(d) + "/documents";
  return "var/documents";
}

Result<std::unique_ptr<DocumentStore>> OpenStore(const Args& a) {
  DocumentStore::Options o;
  o.dir = DataDir(a);
  auto kf = a.opts.find("--key-file");
  if (kf != a.opts.end()) {
    CX_ASSIGN_OR_RETURN(MasterKey k, MasterKey::FromFile(kf->second));
    o.master_key = std::move(k);
  } else {
    CX_ASSIGN_OR_RETURN(o.master_key, MasterKey::FromEnvironment());
  }
  return DocumentStore::Open(std::move(o));
}

class FileSink final : public ByteSink {
 public:
  explicit FileSink(std::FILE* f) : f_(f) {}
  Result<void> Write(std::string_view b) override {
    if (std::fwrite(b.data(), 1, b.size(), f_) != b.size()) {
      return Err(Code::kIo, "write failed");
    }
    return Ok();
  }

 private:
  std::FILE* f_;
};

}  // namespace

int RunDocCli(int argc, char** argv) {
  if (argc < 2) return Usage("missing command");
  std::string cmd = argv[1];
  Args a;
  std::string err;
  if (!ParseArgs(argc, argv, a, err)) return Usage(err);
  if (cmd == "help" || cmd == "--help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (cmd == "pins") {
    if (!a.positional.empty()) return Usage("pins takes no argument");
    auto q = PinQueue::Open(DataDir(a) + "/pins");
    if (!q.ok()) return Fail(q.error());
    auto list = q->List();
    if (!list.ok()) return Fail(list.error());
    for (const PendingPin& p : *list) {
      std::printf("%s attempts=%u next=%lld error=%s\n", p.cid.ToString().c_str(), p.attempts,
                  static_cast<long long>(p.next_attempt_unix), p.last_error.c_str());
    }
    return 0;
  }
  if (a.positional.size() != 1) return Usage(cmd + ": expects exactly one argument");
  const std::string& arg = a.positional[0];

  if (cmd == "cid") {
    std::ifstream in(arg, std::ios::binary);
    if (!in) return Fail(Err(Code::kIo, "cannot open " + arg));
    NullBlockSink sink;
    UnixFsImporter imp(&sink);
    std::vector<char> buf(1 << 20);
    while (in) {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      if (in.gcount() > 0) {
        auto r = imp.Write(buf.data(), static_cast<size_t>(in.gcount()));
        if (!r.ok()) return Fail(r.error());
      }
    }
    auto r = imp.Finish();
    if (!r.ok()) return Fail(r.error());
    std::printf("%s\n", r->root.ToString().c_str());
    return 0;
  }

  auto store = OpenStore(a);
  if (!store.ok()) return Fail(store.error());
  DocumentStore& ds = **store;

  if (cmd == "add") {
    PutOptions o;
    o.is_private = a.is_private;
    o.end_to_end = a.end_to_end;
    if (a.opts.count("--media-type")) o.media_type = a.opts["--media-type"];
    if (a.opts.count("--owner")) o.owner = a.opts["--owner"];
    auto r = ds.PutFile(arg, o);
    if (!r.ok()) return Fail(r.error());
    std::printf("%s\n", r->cid.ToString().c_str());
    return 0;
  }

  auto cid = Cid::Parse(arg);
  if (!cid.ok()) return Fail(cid.error());

  if (cmd == "get") {
    uint64_t offset = 0;
    std::optional<uint64_t> length;
    if (a.opts.count("--offset")) {
      auto v = ParseU64(a.opts["--offset"]);
      if (!v) return Usage("--offset must be a number");
      offset = *v;
    }
    if (a.opts.count("--length")) {
      length = ParseU64(a.opts["--length"]);
      if (!length) return Usage("--length must be a number");
    }
    auto r = ds.Open(*cid, offset, length);
    if (!r.ok()) return Fail(r.error());
    std::FILE* out = stdout;
    std::string path = a.opts.count("--out") ? a.opts["--out"] : "";
    std::string tmp = path + ".part";
    if (!path.empty()) {
      out = std::fopen(tmp.c_str(), "wb");
      if (!out) return Fail(Err(Code::kIo, "cannot create " + tmp));
    }
    std::string piece;
    for (;;) {
      auto more = (*r)->Next(&piece);
      if (!more.ok() || (*more && std::fwrite(piece.data(), 1, piece.size(), out) != piece.size())) {
        if (out != stdout) {
          std::fclose(out);
          std::remove(tmp.c_str());
        }
        return Fail(more.ok() ? Err(Code::kIo, "write failed") : more.error());
      }
      if (!*more) break;
    }
    if (out != stdout) {
      if (std::fclose(out) != 0 || std::rename(tmp.c_str(), path.c_str()) != 0) {
        return Fail(Err(Code::kIo, "cannot write " + path));
      }
    } else {
      std::fflush(stdout);
    }
    return 0;
  }
  if (cmd == "stat") {
    auto r = ds.Stat(*cid);
    if (!r.ok()) return Fail(r.error());
    DocumentInfo shown = *r;
    shown.wrapped_key = shown.wrapped_key.empty() ? "" : "(hidden)";
    std::fputs(FormatMeta(shown).c_str(), stdout);
    return 0;
  }
  if (cmd == "verify") {
    auto r = ds.Verify(*cid);
    if (!r.ok()) return Fail(r.error());
    std::printf("ok blocks=%llu bytes=%llu plaintext_checked=%d\n",
                static_cast<unsigned long long>(r->blocks),
                static_cast<unsigned long long>(r->bytes), r->plaintext_checked ? 1 : 0);
    return 0;
  }
  if (cmd == "car") {
    if (!a.opts.count("--out")) return Usage("car needs --out FILE");
    std::string path = a.opts["--out"];
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return Fail(Err(Code::kIo, "cannot create " + path));
    FileSink sink(f);
    auto r = ds.ExportCar(*cid, sink);
    bool closed = std::fclose(f) == 0;
    if (!r.ok()) {
      std::remove(path.c_str());
      return Fail(r.error());
    }
    if (!closed) return Fail(Err(Code::kIo, "cannot write " + path));
    std::printf("%llu blocks\n", static_cast<unsigned long long>(*r));
    return 0;
  }
  if (cmd == "pin") {
    if (!a.opts.count("--api")) return Usage("pin needs --api URL (kubo RPC, e.g. http://127.0.0.1:5001)");
    int attempts = 3;
    if (a.opts.count("--attempts")) {
      auto v = ParseU64(a.opts["--attempts"]);
      if (!v || *v == 0 || *v > 100) return Usage("--attempts must be 1..100");
      attempts = static_cast<int>(*v);
    }
    auto q = PinQueue::Open(ds.dir() + "/pins");
    if (!q.ok()) return Fail(q.error());
    auto e = q->Enqueue(*cid, static_cast<int64_t>(std::time(nullptr)));
    if (!e.ok()) return Fail(e.error());
    auto client = KuboClient::Create(a.opts["--api"]);
    if (!client.ok()) return Fail(client.error());
    // The CLI retries on its own short schedule; a failure stays queued (with its
    // error) for the server's pin worker.
    PinWorker worker(&ds, &*q, &*client, RetryPolicy{0, 0});
    for (int i = 0; i < attempts; ++i) {
      if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(200 * i));
      auto r = worker.RunOnce(static_cast<int64_t>(std::time(nullptr)));
      if (!r.ok()) return Fail(r.error());
      if (!q->Get(*cid).has_value()) {
        std::printf("pinned %s\n", cid->ToString().c_str());
        return 0;
      }
    }
    auto p = q->Get(*cid);
    return Fail(Err(kPinFailed, "still pending after " + std::to_string(attempts) +
                                    " attempts: " + (p ? p->last_error : "")));
  }
  return Usage("unknown command " + cmd);
}

}  // namespace cx::documents
