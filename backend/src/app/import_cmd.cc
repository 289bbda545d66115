#include "app/import_cmd.h"

#include <cstdio>
#include <fstream>
#include <future>
#include <mutex>

#include "importers/importers.h"
#include "registry/messages.h"

namespace cx::app {
namespace im = cx::importers;
using namespace cx::registry;

namespace {

Mitigation ToMitigation(im::RemovalOrReduction m) {
  return m == im::RemovalOrReduction::kRemoval ? Mitigation::kRemoval
         : m == im::RemovalOrReduction::kReduction ? Mitigation::kReduction
                                                   : Mitigation::kUnknown;
}
Nature ToNature(im::NatureOrTechnical n) {
  return n == im::NatureOrTechnical::kNature ? Nature::kNatureBased
         : n == im::NatureOrTechnical::kTechnical ? Nature::kTechnical
                                                  : Nature::kUnknown;
}
Tri ToTri(im::Tri t) { return t == im::Tri::kYes ? Tri::kYes : t == im::Tri::kNo ? Tri::kNo : Tri::kUnknown; }

ImportProject StubProject(const std::string& reg, const im::ProjectRef& ref, const std::string& origin) {
  ImportProject p;
  p.import_key = reg + "/project/id:" + origin;
  p.info.origin_registry = reg;
  p.info.origin_id = origin;
  p.info.name = ref.name;
  p.info.country = ref.country;
  p.info.methodology = ref.methodology;
  p.info.project_type = ref.project_type;
  p.info.sector = ref.project_type;
  p.info.mitigation = ToMitigation(ref.removal_or_reduction);
  p.info.nature = ToNature(ref.nature_or_technical);
  return p;
}

}  // namespace

Result<ImportReport> ImportFile(engine::Engine& engine, const std::string& registry_arg,
                                const std::string& path, bool progress_bar) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Err(Code::kIo, "cannot open " + path, "file");
  auto reg = im::RegistryFromName(registry_arg);
  if (!reg) return Err(Code::kInvalidField, "unknown registry '" + registry_arg + "'", "registry");
  std::string regname(im::RegistryName(*reg));
  CX_ASSIGN_OR_RETURN(im::FileKind kind, im::DetectFileKind(path));
  auto progress = [&](const im::ImportProgress& p) {
    if (!progress_bar) return;
    if (p.total_bytes > 0) {
      int pct = static_cast<int>(100 * p.bytes_read / p.total_bytes);
      int bar = pct / 4;
      std::fprintf(stderr, "\r  parsing [%.*s%*s] %3d%% %lld rows", bar, "#########################", 25 - bar, "", pct,
                   static_cast<long long>(p.rows));
    }
    if (p.done) std::fprintf(stderr, "\n");
  };
  CX_ASSIGN_OR_RETURN(im::ImportFile f, im::ParseExport(regname, im::FileKindName(kind), in, progress));

  ImportReport rep;
  rep.data_rows = f.counts.data_rows;
  rep.parsed = f.counts.imported;
  rep.parse_rejected = f.counts.rejected;
  for (const auto& e : f.errors) rep.messages.push_back("line " + std::to_string(e.line) + ": " + e.reason);

  // Every record becomes one or two commands; submit all, then wait (one fsync per group).
  struct Item {
    Command cmd;
    int64_t line;
    bool stub;  // a stub project: its duplicate refusal is expected
  };
  std::vector<Item> items;
  auto stub_for = [&](const std::string& origin, const im::ProjectRef& ref, int64_t line) {
    if (!origin.empty()) items.push_back({StubProject(regname, ref, origin), line, true});
  };
  for (const auto& p : f.projects) {
    ImportProject c;
    c.import_key = p.key;
    c.info.origin_registry = regname;
    c.info.origin_id = p.origin_id;
    c.info.name = p.name;
    c.info.developer_name = p.developer;
    c.info.country = p.country;
    c.info.subdivision = p.subdivision;
    c.info.methodology = p.methodology;
    c.info.project_type = p.project_type;
    c.info.sector = p.project_type;
    c.info.mitigation = ToMitigation(p.removal_or_reduction);
    c.info.nature = ToNature(p.nature_or_technical);
    c.info.corsia = ToTri(p.corsia);
    c.info.crediting_start = p.crediting_start;
    c.info.crediting_end = p.crediting_end;
    items.push_back({c, p.line, false});
  }
  // Fields ImportBatch and ImportRetirement share, from a batch or an outflow record.
  auto common = [&](auto& c, const auto& r) {
    c.import_key = r.key;
    c.registry = regname;
    c.project_origin_id = r.project_origin_id;
    c.vintage = r.vintage;
    if (r.range) {
      c.serial_space = regname + ":" + r.range->space;  // serial spaces never cross registries
      c.serial_start = r.range->start;
      c.serial_end = r.range->end;
    }
    c.serial = r.serial;
    c.quantity_kg = r.quantity_kg;
  };
  for (const auto& b : f.batches) {
    stub_for(b.project_origin_id, b.project, b.line);
    ImportBatch c;
    common(c, b);
    c.buffer_kg = b.buffer_kg.value_or(0);
    c.corsia = ToTri(b.corsia);
    c.corresponding_adjustment = ToTri(b.corresponding_adjustment);
    items.push_back({c, b.line, false});
  }
  auto outflow = [&](const im::CreditOutflow& o, bool cancellation) {
    im::ProjectRef ref;
    ref.origin_id = o.project_origin_id;
    stub_for(o.project_origin_id, ref, o.line);
    ImportRetirement c;
    common(c, o);
    c.cancellation = cancellation;
    c.beneficiary = o.beneficiary;
    c.reason = o.reason.empty() ? o.details : o.reason;
    c.date = o.date;
    items.push_back({c, o.line, false});
  };
  for (const auto& r : f.retirements) outflow(r, false);
  for (const auto& r : f.cancellations) outflow(r, true);

  std::mutex mu;
  std::vector<std::future<Result<std::string>>> futures;
  futures.reserve(items.size());
  for (auto& it : items) {
    auto p = std::make_shared<std::promise<Result<std::string>>>();
    futures.push_back(p->get_future());
    engine.Submit(engine::Request{std::move(it.cmd), {}, [p](Result<std::string> r) { p->set_value(std::move(r)); }});
  }
  for (size_t i = 0; i < futures.size(); ++i) {
    Result<std::string> r = futures[i].get();
    if (items[i].stub) {
      if (r.ok()) ++rep.applied;  // a stub project created
      continue;
    }
    if (r.ok()) {
      ++rep.applied;
    } else if (r.error().code == Code::kConflict || r.error().code == Code::kDuplicateProject) {
      ++rep.unchanged;
    } else {
      ++rep.refused;
      rep.messages.push_back("line " + std::to_string(items[i].line) + ": " + std::string(CodeName(r.error().code)) +
                             ": " + r.error().message);
    }
  }
  return rep;
}

}  // namespace cx::app
