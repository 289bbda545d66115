// Isometric exports: projects.csv, issuances.csv, retirements.csv. Isometric issues
// fractional tonnes and prints kilograms ("credit_kgs"), which are taken exactly.
// It prints no serial numbers and no vintage; an issuance's vintage is the year it was
// issued, a retirement's the year its carbon was sequestered ("sequestered_on"). Every Isometric
// credit is a removal.
#include "importers/parse_internal.h"

namespace cx::importers::internal {
namespace {

Result<int64_t> Kg(const Row& row, std::string_view col) {
  return ParseScaledQuantity(row.Get(col), 0, col);
}

// "['corporate_targets', 'other']" -> "corporate_targets, other".
std::string PlainList(std::string_view py) {
  std::string out;
  for (char c : py)
    if (c != '[' && c != ']' && c != '\'' && c != '"') out.push_back(c);
  return std::string(Trim(out));
}

NatureOrTechnical IsometricNature(std::string_view pathway, std::string_view protocol) {
  // Reforestation (and other land pathways) are nature; CDR engineering is technical.
  NatureOrTechnical n = InferNature({pathway, protocol});
  return n == NatureOrTechnical::kUnknown ? NatureOrTechnical::kTechnical : n;
}

Result<void> IsoProject(const Row& row, ImportFile& out) {
  ImportedProject p;
  p.registry = Registry::kIsometric;
  CX_ASSIGN_OR_RETURN(p.origin_id, row.Required("id"));
  CX_ASSIGN_OR_RETURN(p.name, row.Required("name"));
  p.developer = row.Get("supplier.organisation.name");
  p.country =
      FirstNonEmpty(row, {"location.country_name", "location.country_code", "country_code"});
  p.subdivision = row.Get("location.description");
  p.methodology = row.Get("protocol_slug");
  p.project_type = row.Get("pathway");
  p.removal_or_reduction = RemovalOrReduction::kRemoval;
  p.nature_or_technical = IsometricNature(p.project_type, p.methodology);
  p.status = row.Get("status");
  CX_ASSIGN_OR_RETURN(p.crediting_start, row.OptionalDate("crediting_period_start"));
  CX_ASSIGN_OR_RETURN(p.crediting_end, row.OptionalDate("crediting_period_end"));
  p.line = row.line();
  out.projects.push_back(std::move(p));
  return Ok();
}

Result<void> IsoIssuance(const Row& row, ImportFile& out) {
  ImportedBatch b;
  b.registry = Registry::kIsometric;
  CX_ASSIGN_OR_RETURN(b.origin_batch_id, row.Required("id"));
  CX_ASSIGN_OR_RETURN(b.project_origin_id, row.Required("project_id"));
  b.project.origin_id = b.project_origin_id;
  b.project.country = row.Get("supplier.location.country_name");
  b.project.removal_or_reduction = RemovalOrReduction::kRemoval;
  CX_ASSIGN_OR_RETURN(b.quantity_kg, Kg(row, "credit_batch_size_total.credit_kgs"));
  if (b.quantity_kg == 0)
    return Err(Code::kBadQuantity, "credit_batch_size_total.credit_kgs: zero", "quantity");
  if (!row.Get("buffer_pool_credit_batch_size_total.credit_kgs").empty()) {
    CX_ASSIGN_OR_RETURN(int64_t buffer, Kg(row, "buffer_pool_credit_batch_size_total.credit_kgs"));
    if (buffer > b.quantity_kg)
      return Err(Code::kBadQuantity, "buffer pool credits exceed the batch size", "buffer");
    b.buffer_kg = buffer;
  }
  if (!row.Get("supplier_credit_batch_size_total.credit_kgs").empty()) {
    CX_ASSIGN_OR_RETURN(int64_t supplier, Kg(row, "supplier_credit_batch_size_total.credit_kgs"));
    if (supplier + b.buffer_kg.value_or(0) != b.quantity_kg)
      return Err(Code::kBadQuantity,
                 "supplier (" + std::to_string(supplier) + " kg) and buffer (" +
                     std::to_string(b.buffer_kg.value_or(0)) + " kg) do not add up to the batch (" +
                     std::to_string(b.quantity_kg) + " kg)",
                 "quantity");
  }
  CX_ASSIGN_OR_RETURN(b.issuance_date, row.Date("issued_at"));
  b.vintage = std::stoi(b.issuance_date.substr(0, 4));
  b.line = row.line();
  out.batches.push_back(std::move(b));
  return Ok();
}

Result<void> IsoRetirement(const Row& row, ImportFile& out) {
  ImportedRetirement o;
  o.registry = Registry::kIsometric;
  CX_ASSIGN_OR_RETURN(o.origin_id, row.Required("retirement_id"));
  CX_ASSIGN_OR_RETURN(o.project_origin_id, row.Required("project_id"));
  CX_ASSIGN_OR_RETURN(o.quantity_kg, Kg(row, "credit_batch_size_total.credit_kgs"));
  if (o.quantity_kg == 0)
    return Err(Code::kBadQuantity, "credit_batch_size_total.credit_kgs: zero", "quantity");
  CX_ASSIGN_OR_RETURN(o.date, row.Date("retired_at"));
  // No vintage column: the year the carbon was sequestered stands in for it.
  CX_ASSIGN_OR_RETURN(std::string sequestered, row.OptionalDate("sequestered_on"));
  if (!sequestered.empty()) o.vintage = std::stoi(sequestered.substr(0, 4));
  o.beneficiary = row.Get("beneficiary.name");
  o.account_holder = row.Get("owner.name");
  o.reason = PlainList(row.Get("purposes"));
  o.details = row.Get("notes");
  o.line = row.line();
  out.retirements.push_back(std::move(o));
  return Ok();
}

}  // namespace

std::optional<FileSpec> IsometricSpec(FileKind k) {
  switch (k) {
    case FileKind::kProjects:
      return FileSpec{{"id", "name"}, IsoProject};
    case FileKind::kIssuances:
      return FileSpec{{"id", "project_id", "credit_batch_size_total.credit_kgs", "issued_at"},
                      IsoIssuance};
    case FileKind::kRetirements:
      return FileSpec{
          {"retirement_id", "project_id", "credit_batch_size_total.credit_kgs", "retired_at"},
          IsoRetirement};
    default:
      return std::nullopt;
  }
}

}  // namespace cx::importers::internal
