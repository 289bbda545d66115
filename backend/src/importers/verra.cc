// Verra (VCS) exports: projects.csv and transactions.csv. See README.md for the mapping.
#include "importers/parse_internal.h"
#include "importers/serials.h"

namespace cx::importers::internal {
namespace {

bool ContainsCi(std::string_view hay, std::string_view needle) {
  return AsciiLower(hay).find(needle) != std::string::npos;
}

Result<void> VerraProject(const Row& row, ImportFile& out) {
  ImportedProject p;
  p.registry = Registry::kVerra;
  CX_ASSIGN_OR_RETURN(p.origin_id, row.Required("id"));
  CX_ASSIGN_OR_RETURN(p.name, row.Required("name"));
  p.developer = row.Get("proponent");
  p.country = row.Get("country/area");
  p.methodology = row.Get("methodology");
  p.project_type = row.Get("project type");
  std::string_view afolu = row.Get("afolu activities");
  p.removal_or_reduction = InferMitigation({p.project_type, afolu, p.methodology});
  p.nature_or_technical = InferNature({p.project_type, afolu});
  p.status = row.Get("status");
  CX_ASSIGN_OR_RETURN(p.crediting_start, row.OptionalDate("crediting period start date"));
  CX_ASSIGN_OR_RETURN(p.crediting_end, row.OptionalDate("crediting period end date"));
  p.line = row.line();
  out.projects.push_back(std::move(p));
  return Ok();
}

// One row = one serial block. It is always imported as an issued batch; when it has a
// Retirement/Cancellation Date the same block is also retired (or cancelled when the
// retirement reason says so).
Result<void> VerraTransaction(const Row& row, ImportFile& out) {
  ImportedBatch b;
  b.registry = Registry::kVerra;
  CX_ASSIGN_OR_RETURN(b.project_origin_id, row.Required("id"));
  b.project.origin_id = b.project_origin_id;
  b.project.name = row.Get("name");
  b.project.country = row.Get("country/area");
  b.project.methodology = row.Get("methodology");
  b.project.project_type = row.Get("project type");
  std::string_view certs = row.Get("additional certifications");
  b.project.removal_or_reduction =
      ContainsCi(certs, "carbon dioxide removal")
          ? RemovalOrReduction::kRemoval
          : InferMitigation({b.project.project_type, b.project.methodology});
  b.project.nature_or_technical = InferNature({b.project.project_type});
  CX_ASSIGN_OR_RETURN(b.serial, row.Required("serial number"));
  CX_ASSIGN_OR_RETURN(SerialRange range, ParseVerraSerial(b.serial));
  b.range = range;
  CX_ASSIGN_OR_RETURN(b.quantity_kg, row.TonnesKg("quantity issued"));
  CX_TRY(CheckRangeMatchesQuantity(b.range, b.quantity_kg, b.serial));
  CX_ASSIGN_OR_RETURN(b.monitoring_start, row.Date("vintage start"));
  CX_ASSIGN_OR_RETURN(b.monitoring_end, row.OptionalDate("vintage end"));
  b.vintage = std::stoi(b.monitoring_start.substr(0, 4));
  CX_ASSIGN_OR_RETURN(b.issuance_date, row.Date("issuance date"));
  b.corsia = ContainsCi(certs, "corsia") ? Tri::kYes : Tri::kUnknown;
  b.corresponding_adjustment =
      ContainsCi(certs, "article 6 authorized") ? Tri::kYes : Tri::kUnknown;
  b.line = row.line();

  CX_ASSIGN_OR_RETURN(std::string retired_on, row.OptionalDate("retirement/cancellation date"));
  if (!retired_on.empty()) {
    CreditOutflow o;
    o.registry = Registry::kVerra;
    o.project_origin_id = b.project_origin_id;
    o.vintage = b.vintage;
    o.serial = b.serial;
    o.range = b.range;
    o.quantity_kg = b.quantity_kg;
    o.date = retired_on;
    o.beneficiary = row.Get("retirement beneficiary");
    o.reason = row.Get("retirement reason");
    o.details = row.Get("retirement details");
    o.corsia = b.corsia;
    o.line = row.line();
    out.batches.push_back(std::move(b));
    if (ContainsCi(o.reason, "cancel")) {
      out.cancellations.push_back(ImportedCancellation{std::move(o)});
    } else {
      out.retirements.push_back(ImportedRetirement{std::move(o)});
    }
    return Ok();
  }
  out.batches.push_back(std::move(b));
  return Ok();
}

}  // namespace

std::optional<FileSpec> VerraSpec(FileKind k) {
  switch (k) {
    case FileKind::kProjects:
      return FileSpec{{"id", "name"}, VerraProject};
    case FileKind::kTransactions:
      return FileSpec{{"id", "serial number", "quantity issued", "vintage start", "issuance date",
                       "retirement/cancellation date"},
                      VerraTransaction};
    default:
      return std::nullopt;
  }
}

}  // namespace cx::importers::internal
