// Cercarbono (EcoRegistry) exports: projects.csv, issuances.csv, retirements.csv.
// Some cells hold Python-literal lists of dicts ("[{'country': 'Colombia', ...}]"); the
// few string values needed are read from them with PyStringValues below.
// Issuance rows do not name their project: it is the second part of the serial
// ("CDC_<project id>_..."). Each issued serial is its own serial space numbered
// 1..quantity; retirements give "from"/"to" inside it.
#include <algorithm>
#include <string>
#include <vector>

#include "importers/parse_internal.h"

namespace cx::importers::internal {
namespace {

// Every string value of `key` in a Python literal: 'key': 'value' or 'key': "value".
std::vector<std::string> PyStringValues(std::string_view text, std::string_view key) {
  std::vector<std::string> out;
  std::string pat = "'" + std::string(key) + "': ";
  for (size_t p = text.find(pat); p != std::string_view::npos; p = text.find(pat, p + 1)) {
    size_t i = p + pat.size();
    if (i >= text.size() || (text[i] != '\'' && text[i] != '"')) continue;
    char q = text[i++];
    std::string v;
    for (; i < text.size() && text[i] != q; ++i) {
      if (text[i] == '\\' && i + 1 < text.size()) ++i;
      v.push_back(text[i]);
    }
    if (i < text.size()) out.push_back(std::move(v));
  }
  return out;
}

std::string JoinUnique(const std::vector<std::string>& vs) {
  std::string out;
  std::vector<std::string> seen;
  for (const auto& v : vs) {
    if (v.empty()) continue;
    bool dup = false;
    for (const auto& s : seen) dup = dup || s == v;
    if (dup) continue;
    seen.push_back(v);
    if (!out.empty()) out += "; ";
    out += v;
  }
  return out;
}

Result<void> CdcProject(const Row& row, ImportFile& out) {
  ImportedProject p;
  p.registry = Registry::kCercarbono;
  CX_ASSIGN_OR_RETURN(p.origin_id, row.Required("id"));
  CX_ASSIGN_OR_RETURN(p.name, row.Required("name"));
  p.developer = FirstNonEmpty(row, {"developer", "owner"});
  p.country = JoinUnique(PyStringValues(row.Get("locations"), "country"));
  p.subdivision = JoinUnique(PyStringValues(row.Get("locations"), "region"));
  p.methodology = row.Get("quantification_method");
  p.project_type = JoinUnique(PyStringValues(row.Get("sector"), "description"));
  p.removal_or_reduction = InferMitigation({p.project_type, p.methodology});
  p.nature_or_technical = InferNature({p.project_type, p.methodology});
  p.status = row.Get("stage");
  p.line = row.line();
  out.projects.push_back(std::move(p));
  return Ok();
}

// "CDC_<project>_..." -> "<project>".
Result<std::string> ProjectFromSerial(std::string_view serial) {
  if (serial.substr(0, 4) == "CDC_") {
    std::string_view rest = serial.substr(4);
    size_t u = rest.find('_');
    std::string_view id = rest.substr(0, u);
    bool digits = !id.empty();
    for (char c : id) digits = digits && c >= '0' && c <= '9';
    if (digits && u != std::string_view::npos) return std::string(id);
  }
  return Err(
      Code::kInvalidField,
      "serial: \"" + std::string(serial) + "\" is not a Cercarbono serial (CDC_<project>_...)",
      "serial");
}

Result<void> CdcIssuance(const Row& row, ImportFile& out) {
  ImportedBatch b;
  b.registry = Registry::kCercarbono;
  CX_ASSIGN_OR_RETURN(b.serial, row.Required("serial"));
  CX_ASSIGN_OR_RETURN(b.project_origin_id, ProjectFromSerial(b.serial));
  b.project.origin_id = b.project_origin_id;
  CX_ASSIGN_OR_RETURN(b.vintage, row.Year("year"));
  CX_ASSIGN_OR_RETURN(b.quantity_kg, row.TonnesKg("issued_quantity"));
  if (b.quantity_kg == 0) return Err(Code::kBadQuantity, "issued_quantity: zero", "quantity");
  if (b.quantity_kg % kKgPerTonne != 0)
    return Err(Code::kBadQuantity, "issued_quantity: not a whole number of tonnes", "quantity");
  b.range = SerialRange{b.serial, 1, b.quantity_kg / kKgPerTonne};
  std::string buffer = AsciiLower(row.Get("is_buffer"));
  if (buffer == "true") {
    b.buffer_kg = b.quantity_kg;
  } else if (buffer != "false" && !buffer.empty()) {
    return Err(Code::kInvalidField, "is_buffer: expected True or False", "is_buffer");
  }
  CX_ASSIGN_OR_RETURN(b.issuance_date, row.Date("issuance_date"));
  std::string_view period = row.Get("vintage_of_credits");  // "2010-01-01 / 2018-09-30"
  if (!period.empty()) {
    size_t slash = period.find(" / ");
    if (slash == std::string_view::npos)
      return Err(Code::kInvalidField, "vintage_of_credits: expected \"<start> / <end>\"",
                 "vintage_of_credits");
    CX_ASSIGN_OR_RETURN(b.monitoring_start,
                        ParseDate(period.substr(0, slash), "vintage_of_credits"));
    CX_ASSIGN_OR_RETURN(b.monitoring_end,
                        ParseDate(period.substr(slash + 3), "vintage_of_credits"));
  }
  b.line = row.line();
  out.batches.push_back(std::move(b));
  return Ok();
}

Result<void> CdcRetirement(const Row& row, ImportFile& out) {
  ImportedRetirement o;
  o.registry = Registry::kCercarbono;
  CX_ASSIGN_OR_RETURN(o.project_origin_id, row.Required("project_id"));
  CX_ASSIGN_OR_RETURN(o.serial, row.Required("serial"));
  if (!row.Get("vintage").empty()) {
    CX_ASSIGN_OR_RETURN(o.vintage, row.Year("vintage"));
  }
  CX_ASSIGN_OR_RETURN(o.quantity_kg, row.TonnesKg("quantity"));
  if (!row.Get("from").empty() || !row.Get("to").empty()) {
    CX_ASSIGN_OR_RETURN(int64_t from, ParseScaledQuantity(row.Get("from"), 0, "from"));
    CX_ASSIGN_OR_RETURN(int64_t to, ParseScaledQuantity(row.Get("to"), 0, "to"));
    if (to < from) return Err(Code::kInvalidField, "from/to: not a serial range", "from");
    o.range = SerialRange{o.serial, from, to};
    CX_TRY(CheckRangeMatchesQuantity(o.range, o.quantity_kg, o.serial));
  }
  CX_ASSIGN_OR_RETURN(o.date, row.Date("date"));
  o.beneficiary = row.Get("end_user");
  o.account_holder = row.Get("passive_subject");
  o.reason = row.Get("certificate_destination");
  o.line = row.line();
  out.retirements.push_back(std::move(o));
  return Ok();
}

// Cercarbono numbers some older serials from 0 ("0 to 999" for 1000 t) and the rest
// from 1. A serial with any retirement starting at 0 is 0-based: all of its ranges in
// the file move up by one into the 1..N space the issuances use.
void RenumberZeroBased(ImportFile& f) {
  std::vector<std::string> zero_based;
  for (const auto& r : f.retirements)
    if (r.range && r.range->start == 0) zero_based.push_back(r.range->space);
  if (zero_based.empty()) return;
  std::sort(zero_based.begin(), zero_based.end());
  for (auto& r : f.retirements) {
    if (r.range && std::binary_search(zero_based.begin(), zero_based.end(), r.range->space)) {
      ++r.range->start;
      ++r.range->end;
    }
  }
}

}  // namespace

std::optional<FileSpec> CercarbonoSpec(FileKind k) {
  switch (k) {
    case FileKind::kProjects:
      return FileSpec{{"id", "name"}, CdcProject};
    case FileKind::kIssuances:
      return FileSpec{{"serial", "issued_quantity", "year", "issuance_date"}, CdcIssuance};
    case FileKind::kRetirements:
      return FileSpec{
          {"project_id", "serial", "quantity", "date"}, CdcRetirement, RenumberZeroBased};
    default:
      return std::nullopt;
  }
}

}  // namespace cx::importers::internal
