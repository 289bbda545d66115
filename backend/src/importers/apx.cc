// Exports of the registries run on the APX platform: American Carbon Registry (ACR),
// Climate Action Reserve (CAR) and ART-TREES. Same four files, similar columns under
// slightly different names; each field below lists the names in the order tried.
#include "importers/parse_internal.h"
#include "importers/serials.h"

namespace cx::importers::internal {
namespace {

Tri Corsia(const Row& row) {
  Tri t = Tri::kUnknown;
  for (auto col : {"corsia eligible", "eligible for corsia 2021-2023 compliance period",
                   "eligible for corsia 2024-2026 compliance period",
                   "eligible for corsia 2021-2023 compliance period (pilot phase)",
                   "eligible for corsia 2024-2026 compliance period (first phase)"}) {
    Tri v = ParseYesNo(row.Get(col));
    if (v == Tri::kYes) return Tri::kYes;
    if (v == Tri::kNo) t = Tri::kNo;
  }
  return t;
}

RemovalOrReduction Mitigation(const Row& row, std::string_view type, std::string_view method) {
  std::string rr = AsciiLower(row.Get("reduction/removal"));
  if (rr == "removal") return RemovalOrReduction::kRemoval;
  if (rr == "reduction") return RemovalOrReduction::kReduction;
  if (ParseYesNo(row.Get("verified removal")) == Tri::kYes) return RemovalOrReduction::kRemoval;
  return InferMitigation({type, method});
}

Result<void> ApxProject(Registry reg, const Row& row, ImportFile& out) {
  ImportedProject p;
  p.registry = reg;
  p.origin_id = FirstNonEmpty(row, {"project id", "program id"});
  if (p.origin_id.empty()) return Err(Code::kMissingField, "project id: empty", "project id");
  p.name = FirstNonEmpty(row, {"project name", "program name"});
  if (p.name.empty()) return Err(Code::kMissingField, "project name: empty", "project name");
  p.developer = FirstNonEmpty(row, {"project developer", "sovereign program developer"});
  p.country = FirstNonEmpty(row, {"project site country", "program country"});
  p.subdivision = FirstNonEmpty(row, {"project site state", "program jurisdiction(s)"});
  p.methodology = FirstNonEmpty(row, {"project methodology/protocol", "protocol and version",
                                      "crediting program and standard"});
  p.project_type = FirstNonEmpty(row, {"project type", "program type"});
  p.removal_or_reduction = Mitigation(row, p.project_type, p.methodology);
  p.nature_or_technical = InferNature({p.project_type, p.methodology});
  p.status = FirstNonEmpty(
      row, {"voluntary status", "status", "compliance program status (arb or ecology)"});
  CX_ASSIGN_OR_RETURN(p.crediting_start,
                      ParseOptionalDate(FirstNonEmpty(row, {"current crediting period start date",
                                                            "initial crediting period start date"}),
                                        "crediting period start date"));
  CX_ASSIGN_OR_RETURN(p.crediting_end, row.OptionalDate("current crediting period end date"));
  p.line = row.line();
  out.projects.push_back(std::move(p));
  return Ok();
}

Result<void> ApxIssuance(Registry reg, const Row& row, ImportFile& out) {
  ImportedBatch b;
  b.registry = reg;
  b.project_origin_id = FirstNonEmpty(row, {"project id", "program id"});
  if (b.project_origin_id.empty())
    return Err(Code::kMissingField, "project id: empty", "project id");
  b.project.origin_id = b.project_origin_id;
  b.project.name = FirstNonEmpty(row, {"project name", "program name"});
  b.project.country = FirstNonEmpty(row, {"project site country", "program country"});
  b.project.methodology = FirstNonEmpty(
      row,
      {"project methodology/protocol", "protocol and version", "crediting program and standard"});
  b.project.project_type = FirstNonEmpty(row, {"project type", "program type"});
  b.project.removal_or_reduction = Mitigation(row, b.project.project_type, b.project.methodology);
  b.project.nature_or_technical = InferNature({b.project.project_type, b.project.methodology});
  CX_ASSIGN_OR_RETURN(b.vintage, row.Year("vintage"));
  std::string_view qcol = "total credits issued";
  for (auto c : {"total credits issued", "total offset credits issued",
                 "total emission reductions/removals"}) {
    if (!row.Get(c).empty()) {
      qcol = c;
      break;
    }
  }
  CX_ASSIGN_OR_RETURN(b.quantity_kg, ParseTonnesKg(row.Get(qcol), qcol));
  if (b.quantity_kg == 0)
    return Err(Code::kBadQuantity, std::string(qcol) + ": zero credits issued", std::string(qcol));
  int64_t buffer = 0;
  bool any_buffer = false;
  for (auto c :
       {"credits issued to buffer pool", "credits transferred to buffer pool",
        "offset credits currently in reserve buffer pool",
        "offset credits intended for compliance buffer pool", "credits deposited in buffer"}) {
    if (row.Get(c).empty()) continue;
    CX_ASSIGN_OR_RETURN(int64_t v, ParseTonnesKg(row.Get(c), c));
    buffer += v;
    any_buffer = true;
  }
  if (buffer > b.quantity_kg)
    return Err(Code::kBadQuantity,
               "buffer contributions (" + FormatKgAsTonnes(buffer) +
                   " t) exceed the credits issued (" + FormatKgAsTonnes(b.quantity_kg) + " t)",
               "buffer");
  if (any_buffer) b.buffer_kg = buffer;
  CX_ASSIGN_OR_RETURN(
      b.issuance_date,
      ParseDate(FirstNonEmpty(row, {"date issued (gmt)", "date issued", "date approved"}),
                "date issued"));
  CX_ASSIGN_OR_RETURN(b.monitoring_start, row.OptionalDate("reportingperiodbegin"));
  CX_ASSIGN_OR_RETURN(b.monitoring_end, row.OptionalDate("reportingperiodend"));
  b.corsia = Corsia(row);
  b.corresponding_adjustment = ParseYesNo(row.Get("corresponding adjustment"));
  b.line = row.line();
  out.batches.push_back(std::move(b));
  return Ok();
}

Result<void> ApxOutflow(Registry reg, bool cancellation, const Row& row, ImportFile& out) {
  CreditOutflow o;
  o.registry = reg;
  o.project_origin_id = FirstNonEmpty(row, {"project id", "program id"});
  if (o.project_origin_id.empty())
    return Err(Code::kMissingField, "project id: empty", "project id");
  if (!row.Get("vintage").empty()) {
    CX_ASSIGN_OR_RETURN(o.vintage, row.Year("vintage"));
  }
  o.serial = FirstNonEmpty(row, {"credit serial numbers", "offset credit serial numbers"});
  if (o.serial.empty()) return Err(Code::kMissingField, "serial numbers: empty", "serial");
  CX_ASSIGN_OR_RETURN(SerialRange range, ParseToRangeSerial(o.serial));
  o.range = range;
  std::string_view qcol =
      row.Get("quantity of credits").empty() ? "quantity of offset credits" : "quantity of credits";
  CX_ASSIGN_OR_RETURN(o.quantity_kg, ParseTonnesKg(row.Get(qcol), qcol));
  CX_TRY(CheckRangeMatchesQuantity(o.range, o.quantity_kg, o.serial));
  CX_ASSIGN_OR_RETURN(o.date,
                      ParseDate(FirstNonEmpty(row, {"status effective (gmt)", "status effective"}),
                                "status effective"));
  o.account_holder = row.Get("account holder");
  o.beneficiary = row.Get("retired on behalf of");
  o.reason = FirstNonEmpty(row, {"retirement reason", "cancellation reason", "cancellation type"});
  o.details = FirstNonEmpty(
      row, {"purpose of retirement", "retirement reason details", "cancellation details"});
  o.corsia = Corsia(row);
  o.line = row.line();
  if (cancellation) {
    out.cancellations.push_back(ImportedCancellation{std::move(o)});
  } else {
    out.retirements.push_back(ImportedRetirement{std::move(o)});
  }
  return Ok();
}

}  // namespace

std::optional<FileSpec> ApxSpec(Registry reg, FileKind k) {
  constexpr std::string_view kSerialCols = "credit serial numbers|offset credit serial numbers";
  constexpr std::string_view kQuantityCols = "quantity of credits|quantity of offset credits";
  constexpr std::string_view kDateCols = "status effective (gmt)|status effective";
  // The column that identifies the project differs: ART says "Program ID".
  std::string_view id = reg == Registry::kArt ? "program id" : "project id";
  switch (k) {
    case FileKind::kProjects:
      return FileSpec{{id}, [reg](const Row& r, ImportFile& o) { return ApxProject(reg, r, o); }};
    case FileKind::kIssuances:
      return FileSpec{{id, "vintage",
                       "total credits issued|total offset credits issued|"
                       "total emission reductions/removals",
                       "date issued (gmt)|date issued|date approved"},
                      [reg](const Row& r, ImportFile& o) { return ApxIssuance(reg, r, o); }};
    case FileKind::kRetirements:
      return FileSpec{{id, kSerialCols, kQuantityCols, kDateCols},
                      [reg](const Row& r, ImportFile& o) { return ApxOutflow(reg, false, r, o); }};
    case FileKind::kCancellations:
      return FileSpec{{id, kSerialCols, kQuantityCols, kDateCols},
                      [reg](const Row& r, ImportFile& o) { return ApxOutflow(reg, true, r, o); }};
    default:
      return std::nullopt;
  }
}

}  // namespace cx::importers::internal
