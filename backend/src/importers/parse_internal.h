// Internal to cx_importers: the table view a row handler reads, and the per-registry
// row handlers. Not part of the public contract.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "core/units.h"
#include "importers/csv_reader.h"
#include "importers/fields.h"
#include "importers/import_model.h"

namespace cx::importers::internal {

// Column names normalized with NormalizeHeader (lower case, single spaces).
class Header {
 public:
  explicit Header(const std::vector<std::string>& names);
  std::optional<size_t> Find(std::string_view normalized) const;
  size_t width() const { return width_; }
  size_t named_width() const { return named_width_; }  // without trailing "unnamed: n"

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, size_t, Hash, std::equal_to<>> index_;
  size_t width_ = 0;
  size_t named_width_ = 0;
};

class Row {
 public:
  Row(const Header& h, const CsvRecord& r) : h_(h), r_(r) {}
  // Trimmed cell of the column (normalized name), empty when absent.
  std::string_view Get(std::string_view col) const;
  int64_t line() const { return r_.line; }

  // Helpers that name the column in their error.
  Result<std::string> Required(std::string_view col) const;
  Result<int64_t> TonnesKg(std::string_view col) const;
  Result<std::optional<int64_t>> OptionalTonnesKg(std::string_view col) const;
  Result<int32_t> Year(std::string_view col) const;
  Result<std::string> Date(std::string_view col) const;
  Result<std::string> OptionalDate(std::string_view col) const;

 private:
  const Header& h_;
  const CsvRecord& r_;
};

// Appends the records of one row to `out`, or returns why the row is refused. The
// driver removes anything a failing handler appended, so a row is all or nothing.
using RowHandler = std::function<Result<void>(const Row&, ImportFile&)>;

struct FileSpec {
  FileSpec(std::vector<std::string_view> cols, RowHandler h,
           std::function<void(ImportFile&)> fin = {})
      : required_columns(std::move(cols)), handler(std::move(h)), finish(std::move(fin)) {}
  // Normalized names; "a|b" means either column will do.
  std::vector<std::string_view> required_columns;
  RowHandler handler;
  // Optional whole-file pass after the last row (e.g. renumbering), may be empty.
  std::function<void(ImportFile&)> finish;
};

// nullopt when the registry does not publish that kind of file.
std::optional<FileSpec> VerraSpec(FileKind k);
std::optional<FileSpec> GoldStandardSpec(FileKind k);
std::optional<FileSpec> ApxSpec(Registry r, FileKind k);  // ACR, CAR, ART
std::optional<FileSpec> ArbSpec(FileKind k);
std::optional<FileSpec> IsometricSpec(FileKind k);
std::optional<FileSpec> CercarbonoSpec(FileKind k);

// Refuses a serial block whose size disagrees with the stated quantity.
Result<void> CheckRangeMatchesQuantity(const std::optional<SerialRange>& range, int64_t quantity_kg,
                                       std::string_view serial);

// Text of the first of `cols` that is non-empty.
std::string FirstNonEmpty(const Row& row, std::initializer_list<std::string_view> cols);

}  // namespace cx::importers::internal
