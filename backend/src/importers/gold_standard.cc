// Gold Standard exports: projects.csv, issuances.csv, retirements.csv.
#include "importers/parse_internal.h"
#include "importers/serials.h"

namespace cx::importers::internal {
namespace {

bool ContainsCi(std::string_view hay, std::string_view needle) {
  return AsciiLower(hay).find(needle) != std::string::npos;
}

RemovalOrReduction FromLabel(std::string_view label, std::string_view type,
                             std::string_view methodology) {
  if (ContainsCi(label, "removal")) return RemovalOrReduction::kRemoval;
  if (ContainsCi(label, "reduction")) return RemovalOrReduction::kReduction;
  return InferMitigation({type, methodology});
}

// "A - B" (Article 6): "Not Applicable" means no authorization, so no adjustment.
Tri ArticleSix(std::string_view v) {
  std::string s = AsciiLower(v);
  if (s.empty()) return Tri::kUnknown;
  if (s.find("not") != std::string::npos || s == "no") return Tri::kNo;
  if (s.find("authori") != std::string::npos || s == "yes") return Tri::kYes;
  return Tri::kUnknown;
}

Result<void> GsProject(const Row& row, ImportFile& out) {
  ImportedProject p;
  p.registry = Registry::kGoldStandard;
  CX_ASSIGN_OR_RETURN(p.origin_id, row.Required("gsid"));
  CX_ASSIGN_OR_RETURN(p.name, row.Required("project name"));
  p.developer = row.Get("project developer name");
  p.country = row.Get("country");
  p.methodology = row.Get("methodology");
  p.project_type = row.Get("project type");
  p.removal_or_reduction = InferMitigation({p.project_type, p.methodology});
  p.nature_or_technical = InferNature({p.project_type, p.methodology});
  p.status = row.Get("status");
  p.line = row.line();
  out.projects.push_back(std::move(p));
  return Ok();
}

// Fields common to issuance and retirement rows.
Result<ImportedBatch> GsBlock(const Row& row) {
  ImportedBatch b;
  b.registry = Registry::kGoldStandard;
  CX_ASSIGN_OR_RETURN(b.project_origin_id, row.Required("gsid"));
  b.project.origin_id = b.project_origin_id;
  b.project.name = row.Get("project name");
  b.project.country = row.Get("country");
  b.project.methodology = row.Get("methodology");
  b.project.project_type = row.Get("project type");
  b.project.removal_or_reduction =
      FromLabel(row.Get("label"), b.project.project_type, b.project.methodology);
  b.project.nature_or_technical = InferNature({b.project.project_type, b.project.methodology});
  CX_ASSIGN_OR_RETURN(b.vintage, row.Year("vintage"));
  CX_ASSIGN_OR_RETURN(b.serial, row.Required("serial number"));
  CX_ASSIGN_OR_RETURN(SerialRange range, ParseGoldStandardSerial(b.serial));
  b.range = range;
  CX_ASSIGN_OR_RETURN(b.quantity_kg, row.TonnesKg("quantity"));
  CX_TRY(CheckRangeMatchesQuantity(b.range, b.quantity_kg, b.serial));
  CX_ASSIGN_OR_RETURN(b.issuance_date, row.OptionalDate("issuance date"));
  CX_ASSIGN_OR_RETURN(b.monitoring_start, row.OptionalDate("monitoring period start"));
  CX_ASSIGN_OR_RETURN(b.monitoring_end, row.OptionalDate("monitoring period end"));
  b.corsia = (ContainsCi(row.Get("label"), "corsia") || !row.Get("aeroplane operator name").empty())
                 ? Tri::kYes
                 : Tri::kUnknown;
  b.corresponding_adjustment = ArticleSix(row.Get("article six authorization"));
  b.line = row.line();
  return b;
}

Result<void> GsIssuance(const Row& row, ImportFile& out) {
  std::string status = AsciiLower(row.Get("credit status"));
  if (!status.empty() && status != "issued")
    return Err(Code::kInvalidField,
               "credit status: \"" + std::string(row.Get("credit status")) +
                   "\" in an issuances export (expected Issued)",
               "credit status");
  CX_ASSIGN_OR_RETURN(ImportedBatch b, GsBlock(row));
  out.batches.push_back(std::move(b));
  return Ok();
}

// Credit Status "Retired" -> retirement, "Canceled"/"Cancelled" -> cancellation.
Result<void> GsRetirement(const Row& row, ImportFile& out) {
  std::string status = AsciiLower(row.Get("credit status"));
  bool cancelled = status == "canceled" || status == "cancelled";
  if (status != "retired" && !cancelled)
    return Err(Code::kInvalidField,
               "credit status: \"" + std::string(row.Get("credit status")) +
                   "\" (expected Retired or Canceled)",
               "credit status");
  CX_ASSIGN_OR_RETURN(ImportedBatch b, GsBlock(row));
  CreditOutflow o;
  o.registry = Registry::kGoldStandard;
  o.project_origin_id = b.project_origin_id;
  o.vintage = b.vintage;
  o.serial = b.serial;
  o.range = b.range;
  o.quantity_kg = b.quantity_kg;
  if (cancelled) {
    CX_ASSIGN_OR_RETURN(o.date, row.OptionalDate("retirement date"));
  } else {
    CX_ASSIGN_OR_RETURN(o.date, row.Date("retirement date"));
  }
  o.beneficiary = FirstNonEmpty(row, {"using entity", "aeroplane operator name"});
  o.reason = row.Get("use case");
  o.details = row.Get("note");
  o.corsia = b.corsia;
  o.line = row.line();
  if (cancelled) {
    out.cancellations.push_back(ImportedCancellation{std::move(o)});
  } else {
    out.retirements.push_back(ImportedRetirement{std::move(o)});
  }
  return Ok();
}

}  // namespace

std::optional<FileSpec> GoldStandardSpec(FileKind k) {
  switch (k) {
    case FileKind::kProjects:
      return FileSpec{{"gsid", "project name"}, GsProject};
    case FileKind::kIssuances:
      return FileSpec{{"gsid", "vintage", "quantity", "serial number"}, GsIssuance};
    case FileKind::kRetirements:
      return FileSpec{
          {"gsid", "vintage", "quantity", "serial number", "credit status", "retirement date"},
          GsRetirement};
    default:
      return std::nullopt;
  }
}

}  // namespace cx::importers::internal
