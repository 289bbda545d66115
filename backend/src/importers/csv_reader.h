// Streaming RFC 4180 CSV reader for registry exports.
//
// Contract:
// - Fields are separated by ',' and records by CRLF, LF or a lone CR. A field may be
//   quoted with '"'; inside quotes, commas, CR and LF are data and '""' is one quote.
//   Line breaks inside a quoted field are kept verbatim.
// - A UTF-8 byte-order mark at the very start of the input is skipped.
// - Every record carries the 1-based physical line number where it starts, so a
//   record spanning several lines reports its first line.
// - Malformed input never throws and never stops the reader: the record is returned
//   with `error` set (a quote inside an unquoted field, text after a closing quote,
//   a quoted field still open at end of input, a record larger than the byte limit)
//   and reading goes on with the next record. A lenient value is still filled in
//   (the literal text) so callers can show it.
// - An empty physical line yields a record with one empty field; callers skip it.
// Not thread-safe; reads the stream sequentially in blocks of 64 KiB.
#pragma once
#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace cx::importers {

struct CsvRecord {
  std::vector<std::string> fields;
  int64_t line = 0;   // physical line (1-based) where the record starts
  std::string error;  // empty when the record is well-formed

  bool blank() const { return fields.size() == 1 && fields[0].empty(); }
};

class CsvReader {
 public:
  // Records longer than this many bytes are refused (error set, fields dropped).
  static constexpr size_t kDefaultMaxRecordBytes = 4 << 20;

  explicit CsvReader(std::istream& in, size_t max_record_bytes = kDefaultMaxRecordBytes);
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Reads the next record into `out`. Returns false at end of input (out untouched).
  bool Next(CsvRecord* out);

  // Bytes consumed from the stream so far (for progress reporting).
  int64_t bytes_read() const { return bytes_read_; }
  // Physical line the reader is on (1-based).
  int64_t line() const { return line_; }

 private:
  int Peek();  // next byte or -1 at end
  int Get();

  std::istream& in_;
  size_t max_record_bytes_;
  std::string buf_;
  size_t pos_ = 0;
  int64_t bytes_read_ = 0;
  int64_t line_ = 1;
  bool started_ = false;
  bool eof_ = false;
};

// Parses a whole in-memory text (convenience for tests and small inputs).
std::vector<CsvRecord> ParseCsv(std::string_view text);

}  // namespace cx::importers
