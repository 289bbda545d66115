#include "importers/importers.h"

#include <array>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/units.h"
#include "importers/csv_reader.h"
#include "importers/fields.h"
#include "importers/parse_internal.h"

namespace cx::importers {

// ---- names -------------------------------------------------------------------------

std::string_view RegistryName(Registry r) {
  switch (r) {
    case Registry::kVerra:
      return "verra";
    case Registry::kGoldStandard:
      return "gold-standard";
    case Registry::kAcr:
      return "acr";
    case Registry::kCar:
      return "car";
    case Registry::kArt:
      return "art";
    case Registry::kArb:
      return "arb";
    case Registry::kIsometric:
      return "isometric";
    case Registry::kCercarbono:
      return "cercarbono";
  }
  return "unknown";
}

std::optional<Registry> RegistryFromName(std::string_view name) {
  std::string n = AsciiLower(Trim(name));
  static constexpr std::array<std::pair<std::string_view, Registry>, 11> kNames = {{
      {"verra", Registry::kVerra},
      {"gold-standard", Registry::kGoldStandard},
      {"acr", Registry::kAcr},
      {"american-carbon-registry", Registry::kAcr},
      {"car", Registry::kCar},
      {"climate-action-reserve", Registry::kCar},
      {"art", Registry::kArt},
      {"art-trees", Registry::kArt},
      {"arb", Registry::kArb},
      {"isometric", Registry::kIsometric},
      {"cercarbono", Registry::kCercarbono},
  }};
  for (const auto& [k, v] : kNames)
    if (n == k) return v;
  return std::nullopt;
}

std::string_view FileKindName(FileKind k) {
  switch (k) {
    case FileKind::kProjects:
      return "projects";
    case FileKind::kIssuances:
      return "issuances";
    case FileKind::kRetirements:
      return "retirements";
    case FileKind::kCancellations:
      return "cancellations";
    case FileKind::kTransactions:
      return "transactions";
    case FileKind::kArbIssuanceSheet:
      return "arb-sheet";
  }
  return "unknown";
}

std::optional<FileKind> FileKindFromName(std::string_view name) {
  std::string n = AsciiLower(Trim(name));
  for (FileKind k :
       {FileKind::kProjects, FileKind::kIssuances, FileKind::kRetirements, FileKind::kCancellations,
        FileKind::kTransactions, FileKind::kArbIssuanceSheet}) {
    if (n == FileKindName(k)) return k;
  }
  return std::nullopt;
}

std::string_view TriName(Tri t) {
  switch (t) {
    case Tri::kNo:
      return "no";
    case Tri::kYes:
      return "yes";
    default:
      return "unknown";
  }
}
std::string_view MitigationName(RemovalOrReduction m) {
  switch (m) {
    case RemovalOrReduction::kReduction:
      return "reduction";
    case RemovalOrReduction::kRemoval:
      return "removal";
    default:
      return "unknown";
  }
}
std::string_view NatureName(NatureOrTechnical n) {
  switch (n) {
    case NatureOrTechnical::kNature:
      return "nature";
    case NatureOrTechnical::kTechnical:
      return "technical";
    default:
      return "unknown";
  }
}

Result<FileKind> DetectFileKind(std::string_view file_name) {
  std::string_view base = file_name;
  if (size_t slash = base.find_last_of("/\\"); slash != std::string_view::npos)
    base = base.substr(slash + 1);
  std::string n = AsciiLower(base);
  auto has = [&](std::string_view w) { return n.find(w) != std::string::npos; };
  if (has("transaction")) return FileKind::kTransactions;
  if (has("issuance_sheet") || has("issuance-sheet") || has("arboc") || has("arb-sheet"))
    return FileKind::kArbIssuanceSheet;
  if (has("cancellation")) return FileKind::kCancellations;
  if (has("retirement")) return FileKind::kRetirements;
  if (has("issuance")) return FileKind::kIssuances;
  if (has("project")) return FileKind::kProjects;
  return Err(Code::kInvalidField,
             "cannot tell the kind of export from the file name \"" + std::string(base) +
                 "\" (expected projects, issuances, retirements, cancellations, "
                 "transactions or an ARB issuance sheet)",
             "file_kind");
}

namespace {

std::string RangeKey(const SerialRange& r) {
  return "range:" + r.space + "/" + std::to_string(r.start) + "-" + std::to_string(r.end);
}

std::string ProjectKey(const ImportedProject& p) {
  return std::string(RegistryName(p.registry)) + "/project/" + p.origin_id;
}

std::string BatchKey(const ImportedBatch& b) {
  std::string k = std::string(RegistryName(b.registry)) + "/batch/";
  if (b.range) return k + RangeKey(*b.range);
  if (!b.serial.empty()) return k + "serial:" + b.serial;
  if (!b.origin_batch_id.empty()) return k + "id:" + b.origin_batch_id;
  return k + b.project_origin_id + "/" + std::to_string(b.vintage) + "/" + b.issuance_date + "/" +
         b.monitoring_start + "/" + std::to_string(b.quantity_kg);
}

std::string OutflowKey(const CreditOutflow& o, std::string_view kind) {
  std::string k = std::string(RegistryName(o.registry)) + "/" + std::string(kind) + "/";
  if (o.range) return k + RangeKey(*o.range);
  if (!o.serial.empty()) return k + "serial:" + o.serial;
  // ARB: one issuance row carries several aggregate outflows, one per column.
  if (o.registry == Registry::kArb) return k + "id:" + o.origin_id + "/" + o.reason;
  if (!o.origin_id.empty()) return k + "id:" + o.origin_id;
  return k + o.project_origin_id + "/" + std::to_string(o.vintage) + "/" + o.date + "/" +
         std::to_string(o.quantity_kg);
}

std::optional<internal::FileSpec> SpecFor(Registry r, FileKind k) {
  switch (r) {
    case Registry::kVerra:
      return internal::VerraSpec(k);
    case Registry::kGoldStandard:
      return internal::GoldStandardSpec(k);
    case Registry::kAcr:
    case Registry::kCar:
    case Registry::kArt:
      return internal::ApxSpec(r, k);
    case Registry::kArb:
      return internal::ArbSpec(k);
    case Registry::kIsometric:
      return internal::IsometricSpec(k);
    case Registry::kCercarbono:
      return internal::CercarbonoSpec(k);
  }
  return std::nullopt;
}

int64_t StreamSize(std::istream& in) {
  if (!in.good()) return -1;
  auto here = in.tellg();
  if (here < 0) {
    in.clear();
    return -1;
  }
  in.seekg(0, std::ios::end);
  auto end = in.tellg();
  in.clear();
  in.seekg(here);
  if (end < 0 || !in.good()) {
    in.clear();
    return -1;
  }
  return static_cast<int64_t>(end - here);
}

}  // namespace

bool RegistryHasKind(Registry r, FileKind k) { return SpecFor(r, k).has_value(); }

namespace {

// Gives the records a row just added their keys; refuses the row when a key was
// already used by an earlier row of the file (the same key twice within one row, as
// for a Verra block that is both issued and retired, is told apart by kind).
Result<void> AssignKeys(ImportFile& f, size_t np, size_t nb, size_t nr, size_t nc,
                        std::unordered_map<std::string, int64_t>& seen) {
  std::vector<std::pair<std::string*, int64_t>> fresh;
  for (size_t i = np; i < f.projects.size(); ++i) {
    f.projects[i].key = ProjectKey(f.projects[i]);
    fresh.emplace_back(&f.projects[i].key, f.projects[i].line);
  }
  for (size_t i = nb; i < f.batches.size(); ++i) {
    f.batches[i].key = BatchKey(f.batches[i]);
    fresh.emplace_back(&f.batches[i].key, f.batches[i].line);
  }
  for (size_t i = nr; i < f.retirements.size(); ++i) {
    f.retirements[i].key = OutflowKey(f.retirements[i], "retirement");
    fresh.emplace_back(&f.retirements[i].key, f.retirements[i].line);
  }
  for (size_t i = nc; i < f.cancellations.size(); ++i) {
    f.cancellations[i].key = OutflowKey(f.cancellations[i], "cancellation");
    fresh.emplace_back(&f.cancellations[i].key, f.cancellations[i].line);
  }
  for (const auto& [key, line] : fresh) {
    auto it = seen.find(*key);
    if (it != seen.end())
      return Err(Code::kConflict,
                 "duplicate of the row on line " + std::to_string(it->second) + " (" + *key + ")",
                 "row");
  }
  for (const auto& [key, line] : fresh) seen.emplace(*key, line);
  return Ok();
}

}  // namespace

Result<ImportFile> ParseExport(std::string_view registry, std::string_view file_kind,
                               std::istream& in, const ProgressFn& progress) {
  auto reg = RegistryFromName(registry);
  if (!reg)
    return Err(Code::kInvalidField,
               "unknown registry \"" + std::string(registry) +
                   "\" (expected verra, gold-standard, acr, car, art, arb, isometric or "
                   "cercarbono)",
               "registry");
  auto kind = FileKindFromName(file_kind);
  // ARB publishes one issuance table; "issuances" is accepted for it.
  if (kind == FileKind::kIssuances && *reg == Registry::kArb) kind = FileKind::kArbIssuanceSheet;
  if (!kind)
    return Err(Code::kInvalidField,
               "unknown file kind \"" + std::string(file_kind) +
                   "\" (expected projects, issuances, retirements, cancellations, "
                   "transactions or arb-sheet)",
               "file_kind");
  auto spec = SpecFor(*reg, *kind);
  if (!spec)
    return Err(Code::kUnsupported,
               std::string(RegistryName(*reg)) + " publishes no " +
                   std::string(FileKindName(*kind)) + " export",
               "file_kind");

  ImportFile out;
  out.registry = *reg;
  out.kind = *kind;
  ImportProgress prog;
  prog.total_bytes = StreamSize(in);

  CsvReader reader(in);
  CsvRecord rec;
  bool have_header = false;
  while (reader.Next(&rec)) {
    if (!rec.blank()) {
      have_header = true;
      break;
    }
  }
  if (in.bad()) return Err(Code::kIo, "reading the export failed", "file");
  if (!have_header) return Err(Code::kMissingField, "the file is empty (no header row)", "header");
  if (!rec.error.empty())
    return Err(Code::kInvalidField,
               "header row (line " + std::to_string(rec.line) + "): " + rec.error, "header");
  internal::Header header(rec.fields);
  for (std::string_view col : spec->required_columns) {
    bool found = false;
    for (size_t b = 0; b <= col.size();) {
      size_t e = col.find('|', b);
      if (e == std::string_view::npos) e = col.size();
      if (header.Find(col.substr(b, e - b))) found = true;
      b = e + 1;
    }
    if (!found)
      return Err(Code::kMissingField,
                 "the header has no column \"" + std::string(col) + "\" that a " +
                     std::string(RegistryName(*reg)) + " " + std::string(FileKindName(*kind)) +
                     " export needs",
                 std::string(col));
  }

  std::unordered_map<std::string, int64_t> seen;  // key -> line of its first record
  auto reject = [&](int64_t line, std::string reason) {
    out.errors.push_back(RowError{line, std::move(reason)});
    ++out.counts.rejected;
  };
  while (reader.Next(&rec)) {
    if (rec.blank()) continue;
    ++out.counts.data_rows;
    if (!rec.error.empty()) {
      reject(rec.line, "malformed CSV: " + rec.error);
    } else if (rec.fields.size() < header.named_width()) {
      reject(rec.line, "row has " + std::to_string(rec.fields.size()) +
                           " fields but the header names " + std::to_string(header.named_width()));
    } else {
      bool extra = false;
      for (size_t i = header.width(); i < rec.fields.size(); ++i)
        if (!Trim(rec.fields[i]).empty()) extra = true;
      if (extra) {
        reject(rec.line, "row has " + std::to_string(rec.fields.size()) +
                             " fields but the header has " + std::to_string(header.width()));
      } else {
        size_t np = out.projects.size(), nb = out.batches.size(), nr = out.retirements.size(),
               nc = out.cancellations.size();
        internal::Row row(header, rec);
        Result<void> r = spec->handler(row, out);
        if (r.ok()) r = AssignKeys(out, np, nb, nr, nc, seen);
        if (r.ok()) {
          ++out.counts.imported;
        } else {
          out.projects.resize(np);
          out.batches.resize(nb);
          out.retirements.resize(nr);
          out.cancellations.resize(nc);
          reject(rec.line, r.error().message);
        }
      }
    }
    if (progress && out.counts.data_rows % 256 == 0) {
      prog.bytes_read = reader.bytes_read();
      prog.rows = out.counts.data_rows;
      progress(prog);
    }
  }
  if (in.bad()) return Err(Code::kIo, "reading the export failed", "file");
  if (spec->finish) spec->finish(out);
  if (progress) {
    prog.bytes_read = reader.bytes_read();
    prog.rows = out.counts.data_rows;
    prog.done = true;
    progress(prog);
  }
  return out;
}

// ---- internal helpers --------------------------------------------------------------

namespace internal {

Header::Header(const std::vector<std::string>& names) : width_(names.size()) {
  for (size_t i = 0; i < names.size(); ++i) {
    std::string n = NormalizeHeader(names[i]);
    bool unnamed = n.empty() || n.rfind("unnamed:", 0) == 0;
    if (!unnamed) named_width_ = i + 1;
    if (!n.empty()) index_.emplace(std::move(n), i);  // first of duplicates wins
  }
}

std::optional<size_t> Header::Find(std::string_view normalized) const {
  auto it = index_.find(normalized);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

std::string_view Row::Get(std::string_view col) const {
  auto i = h_.Find(col);
  if (!i || *i >= r_.fields.size()) return {};
  return Trim(r_.fields[*i]);
}

Result<std::string> Row::Required(std::string_view col) const {
  std::string_view v = Get(col);
  if (v.empty()) return Err(Code::kMissingField, std::string(col) + ": empty", std::string(col));
  return std::string(v);
}
Result<int64_t> Row::TonnesKg(std::string_view col) const { return ParseTonnesKg(Get(col), col); }
Result<std::optional<int64_t>> Row::OptionalTonnesKg(std::string_view col) const {
  if (Get(col).empty()) return std::optional<int64_t>();
  CX_ASSIGN_OR_RETURN(int64_t v, ParseTonnesKg(Get(col), col));
  return std::optional<int64_t>(v);
}
Result<int32_t> Row::Year(std::string_view col) const { return ParseYear(Get(col), col); }
Result<std::string> Row::Date(std::string_view col) const { return ParseDate(Get(col), col); }
Result<std::string> Row::OptionalDate(std::string_view col) const {
  return ParseOptionalDate(Get(col), col);
}

Result<void> CheckRangeMatchesQuantity(const std::optional<SerialRange>& range, int64_t quantity_kg,
                                       std::string_view serial) {
  if (!range) return Ok();
  auto kg = CheckedMul(range->tonnes(), kKgPerTonne);
  if (!kg || *kg != quantity_kg)
    return Err(Code::kBadQuantity,
               "serial block \"" + std::string(serial) + "\" holds " +
                   std::to_string(range->tonnes()) + " t but the quantity is " +
                   FormatKgAsTonnes(quantity_kg) + " t",
               "quantity");
  return Ok();
}

std::string FirstNonEmpty(const Row& row, std::initializer_list<std::string_view> cols) {
  for (auto c : cols)
    if (!row.Get(c).empty()) return std::string(row.Get(c));
  return {};
}

}  // namespace internal
}  // namespace cx::importers
