// Import throughput. Builds, in memory, a Verra transactions export of N rows in the
// real format (quoted multi-value cells, thousands separators, serial blocks, every
// other row retired with a quoted beneficiary), then times
//   - the CSV reader alone                -> BENCH import_csv_mb_per_s
//   - ParseExport on the whole file       -> BENCH import_verra_rows_per_s
// and ParseExport on the Gold Standard test rows repeated with fresh serials
//                                          -> BENCH import_gs_rows_per_s.
// Usage: cx_importers_bench [rows]   (default 200000). Deterministic input.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "importers/csv_reader.h"
#include "importers/importers.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

std::string Thousands(long long v) {
  std::string s = std::to_string(v), out;
  int n = 0;
  for (auto it = s.rbegin(); it != s.rend(); ++it) {
    if (n && n % 3 == 0) out.insert(out.begin(), ',');
    out.insert(out.begin(), *it);
    ++n;
  }
  return out;
}

std::string VerraFile(int rows) {
  std::string t =
      "Issuance Date,Sustainable Development Goals,Vintage Start,Vintage End,ID,Name,"
      "Country/Area,Project Type,Methodology,Total Vintage Quantity,Quantity Issued,"
      "Serial Number,Additional Certifications,Retirement/Cancellation Date,"
      "Retirement Beneficiary,Retirement Reason,Retirement Details\n";
  long long next = 900000000;
  for (int i = 0; i < rows; ++i) {
    long long q = 1 + (i * 7919LL) % 40000;
    long long start = next, end = next + q - 1;
    next = end + 1;
    int project = 1000 + i % 3000;
    t += "2026-03-31,,2023-02-01,2023-12-31," + std::to_string(project) +
         ",\"Hong Phong 4 Solar 48 MW Project, phase " + std::to_string(i % 9) +
         "\",Viet Nam,\"Energy industries (renewable/non-renewable sources); Waste handling "
         "and disposal\",ACM0002,\"" +
         Thousands(q * 40) + "\",\"" + Thousands(q) + "\"," + std::to_string(19000 + i) + "-" +
         std::to_string(start) + "-" + std::to_string(end) + "-VCS-VCU-1289-VER-VN-1-" +
         std::to_string(project) + "-01022023-31122023-0,";
    if (i % 2) {
      t += ",2026-04-01,\"Shopify Inc., on behalf of \"\"customers\"\"\","
           "Retirement for Person or Organization,Retired for 2025 emissions\n";
    } else {
      t += "CCB-Biodiversity Gold,,,,\n";
    }
  }
  return t;
}

std::string GoldStandardFile(int rows) {
  std::string t =
      "Vintage,Credit Status,Quantity,GSID,Project Name,Project Developer,Country,"
      "Project Type,Methodology,Programme of Activities,POA GSID,Product Type,Issuance Date,"
      "Monitoring Period Start,Monitoring Period End,Serial Number,Label,"
      "Article Six Authorization\n";
  for (int i = 0; i < rows; ++i) {
    long long q = 1 + (i * 104729LL) % 90000;
    t += "2024,Issued," + std::to_string(q) +
         ",11236,\"BioLite Improved Cook stoves "
         "Programme - CPA 028\",BioLite Inc.,Uganda,Energy Efficiency - Domestic,,VPA,11191.0,"
         "VER,2026-04-13T12:35:58.842275,2024-01-01,2024-12-08,GS1-1-UG-GS11236-16-2024-" +
         std::to_string(30000 + i) + "-1-" + std::to_string(q) +
         ",Emission Reduction,Not Applicable\n";
  }
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  int rows = argc > 1 ? static_cast<int>(std::strtol(argv[1], nullptr, 10)) : 200000;
  if (rows <= 0) rows = 200000;
  std::string verra = VerraFile(rows);

  auto t0 = Clock::now();
  long long records = 0;
  {
    std::istringstream in(verra);
    cx::importers::CsvReader reader(in);
    cx::importers::CsvRecord rec;
    while (reader.Next(&rec)) ++records;
  }
  auto t1 = Clock::now();
  std::istringstream in(verra);
  auto r = cx::importers::ParseExport("verra", "transactions", in);
  auto t2 = Clock::now();
  if (!r.ok() || r->counts.imported != rows || records != rows + 1) {
    std::fprintf(stderr, "bench: unexpected result (%s, imported %lld of %d)\n",
                 r.ok() ? "ok" : r.error().message.c_str(),
                 r.ok() ? static_cast<long long>(r->counts.imported) : 0LL, rows);
    return 1;
  }
  std::string gs = GoldStandardFile(rows);
  std::istringstream gin(gs);
  auto t3 = Clock::now();
  auto g = cx::importers::ParseExport("gold-standard", "issuances", gin);
  auto t4 = Clock::now();
  if (!g.ok() || g->counts.imported != rows) {
    std::fprintf(stderr, "bench: gold standard file did not import fully\n");
    return 1;
  }
  std::printf("BENCH import_csv_mb_per_s %.1f MB/s\n",
              static_cast<double>(verra.size()) / 1e6 / Seconds(t0, t1));
  std::printf("BENCH import_verra_rows_per_s %.0f rows/s\n", rows / Seconds(t1, t2));
  std::printf("BENCH import_gs_rows_per_s %.0f rows/s\n", rows / Seconds(t3, t4));
  return 0;
}
