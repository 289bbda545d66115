#include "importers/csv_reader.h"

#include <sstream>

namespace cx::importers {
namespace {
constexpr size_t kBlock = 64 * 1024;
}  // namespace

CsvReader::CsvReader(std::istream& in, size_t max_record_bytes)
    : in_(in), max_record_bytes_(max_record_bytes) {}

int CsvReader::Peek() {
  if (pos_ < buf_.size()) return static_cast<unsigned char>(buf_[pos_]);
  if (eof_) return -1;
  buf_.resize(kBlock);
  in_.read(buf_.data(), static_cast<std::streamsize>(kBlock));
  std::streamsize n = in_.gcount();
  if (n <= 0) {
    buf_.clear();
    pos_ = 0;
    eof_ = true;
    return -1;
  }
  buf_.resize(static_cast<size_t>(n));
  pos_ = 0;
  // istream::read blocks until the block is full or the input ends, so a short
  // read means there is nothing more to read.
  if (n < static_cast<std::streamsize>(kBlock)) eof_ = true;
  return static_cast<unsigned char>(buf_[pos_]);
}

int CsvReader::Get() {
  int c = Peek();
  if (c >= 0) {
    ++pos_;
    ++bytes_read_;
  }
  return c;
}

bool CsvReader::Next(CsvRecord* out) {
  if (!started_) {
    started_ = true;
    // Skip a UTF-8 BOM (EF BB BF). Bytes are only consumed if all three match.
    if (Peek() == 0xEF) {
      // The first block holds at least 3 bytes unless the input is shorter.
      if (buf_.size() - pos_ >= 3 && static_cast<unsigned char>(buf_[pos_ + 1]) == 0xBB &&
          static_cast<unsigned char>(buf_[pos_ + 2]) == 0xBF) {
        pos_ += 3;
        bytes_read_ += 3;
      }
    }
  }
  if (Peek() < 0) return false;

  out->fields.clear();
  out->error.clear();
  out->line = line_;
  std::string field;
  size_t record_bytes = 0;
  bool too_big = false;
  auto append = [&](char c) {
    if (too_big) return;
    if (++record_bytes > max_record_bytes_) {
      too_big = true;
      field.clear();
      out->fields.clear();
      return;
    }
    field.push_back(c);
  };
  auto set_error = [&](std::string msg) {
    if (out->error.empty()) out->error = std::move(msg);
  };

  for (;;) {
    // At the start of a field.
    if (Peek() == '"') {
      Get();
      int64_t open_line = line_;
      for (;;) {
        int c = Get();
        if (c < 0) {
          set_error("quoted field opened on line " + std::to_string(open_line) +
                    " is not closed before the end of the file");
          break;
        }
        if (c == '"') {
          if (Peek() == '"') {
            Get();
            append('"');
            continue;
          }
          break;
        }
        if (c == '\n' || (c == '\r' && Peek() != '\n')) ++line_;
        append(static_cast<char>(c));
      }
      // After the closing quote only a delimiter may follow.
      for (int c = Peek(); c >= 0 && c != ',' && c != '\r' && c != '\n'; c = Peek()) {
        set_error("text after a closing quote");
        append(static_cast<char>(Get()));
      }
    } else {
      for (int c = Peek(); c >= 0 && c != ',' && c != '\r' && c != '\n'; c = Peek()) {
        if (c == '"') set_error("quote inside an unquoted field");
        append(static_cast<char>(Get()));
      }
    }
    if (!too_big) out->fields.push_back(std::move(field));
    field.clear();
    int d = Get();
    if (d == ',') continue;
    if (d == '\r') {
      if (Peek() == '\n') Get();
      ++line_;
    } else if (d == '\n') {
      ++line_;
    }
    break;  // end of record (or of input)
  }
  if (too_big) {
    out->fields.clear();
    out->error = "record is larger than " + std::to_string(max_record_bytes_) + " bytes";
  }
  return true;
}

std::vector<CsvRecord> ParseCsv(std::string_view text) {
  std::istringstream in{std::string(text)};
  CsvReader reader(in);
  std::vector<CsvRecord> out;
  CsvRecord rec;
  while (reader.Next(&rec)) out.push_back(rec);
  return out;
}

}  // namespace cx::importers
