#include "io/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace cx::ml {

namespace {
std::string F(double v, int p = 2) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", p, v);
  return b;
}
std::string Esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else if (c == '&') o += "&amp;";
    else o += c;
  }
  return o;
}
constexpr double kW = 900, kH = 360, kL = 60, kR = 150, kT = 30, kB = 40;
}  // namespace

std::string SvgLineChart(const std::string& title, const std::vector<std::string>& xl,
                         const std::vector<SvgSeries>& series, const std::vector<SvgBand>& bands) {
  size_t n = xl.size();
  double lo = INFINITY, hi = -INFINITY;
  auto scan = [&](const std::vector<double>& y) {
    n = std::max(n, y.size());
    for (double v : y)
      if (std::isfinite(v)) { lo = std::min(lo, v); hi = std::max(hi, v); }
  };
  for (const auto& s : series) scan(s.y);
  for (const auto& b : bands) { scan(b.lo); scan(b.hi); }
  if (!std::isfinite(lo)) { lo = 0; hi = 1; }
  if (hi - lo < 1e-12) { hi += 1; lo -= 1; }
  const double pad = 0.05 * (hi - lo);
  lo -= pad;
  hi += pad;
  auto X = [&](size_t i) { return kL + (kW - kL - kR) * (n > 1 ? static_cast<double>(i) / (n - 1) : 0.5); };
  auto Y = [&](double v) { return kT + (kH - kT - kB) * (1 - (v - lo) / (hi - lo)); };
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + F(kW, 0) + "\" height=\"" + F(kH, 0) +
                  "\" font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  s += "<text x=\"" + F(kL, 0) + "\" y=\"18\" font-size=\"14\">" + Esc(title) + "</text>\n";
  for (int k = 0; k <= 4; ++k) {
    const double v = lo + (hi - lo) * k / 4;
    s += "<line x1=\"" + F(kL, 0) + "\" x2=\"" + F(kW - kR, 0) + "\" y1=\"" + F(Y(v), 1) + "\" y2=\"" + F(Y(v), 1) +
         "\" stroke=\"#ddd\"/><text x=\"4\" y=\"" + F(Y(v) + 4, 1) + "\">" + F(v, std::fabs(hi - lo) < 1 ? 4 : 2) + "</text>\n";
  }
  for (int k = 0; k <= 5 && !xl.empty(); ++k) {
    const size_t i = std::min(xl.size() - 1, static_cast<size_t>(k * (xl.size() - 1) / 5));
    s += "<text x=\"" + F(X(i) - 30, 1) + "\" y=\"" + F(kH - 15, 0) + "\">" + Esc(xl[i]) + "</text>\n";
  }
  int legend = 0;
  for (const auto& b : bands) {
    std::string up, down;
    for (size_t i = 0; i < b.lo.size() && i < b.hi.size(); ++i) {
      if (!std::isfinite(b.lo[i]) || !std::isfinite(b.hi[i])) continue;
      up += (up.empty() ? "M" : "L") + F(X(i), 1) + "," + F(Y(b.hi[i]), 1) + " ";
      down = "L" + F(X(i), 1) + "," + F(Y(b.lo[i]), 1) + " " + down;
    }
    if (!up.empty()) s += "<path d=\"" + up + down + "Z\" fill=\"" + b.color + "\" fill-opacity=\"0.25\" stroke=\"none\"/>\n";
    s += "<rect x=\"" + F(kW - kR + 10, 0) + "\" y=\"" + F(kT + 16 * legend, 0) + "\" width=\"12\" height=\"8\" fill=\"" +
         b.color + "\" fill-opacity=\"0.4\"/><text x=\"" + F(kW - kR + 26, 0) + "\" y=\"" + F(kT + 8 + 16 * legend, 0) +
         "\">" + Esc(b.label) + "</text>\n";
    ++legend;
  }
  for (const auto& se : series) {
    std::string d;
    bool pen = false;
    for (size_t i = 0; i < se.y.size(); ++i) {
      if (!std::isfinite(se.y[i])) { pen = false; continue; }
      d += (pen ? "L" : "M") + F(X(i), 1) + "," + F(Y(se.y[i]), 1) + " ";
      pen = true;
    }
    s += "<path d=\"" + d + "\" fill=\"none\" stroke=\"" + se.color + "\" stroke-width=\"1.2\"" +
         (se.dashed ? " stroke-dasharray=\"4 3\"" : "") + "/>\n";
    s += "<line x1=\"" + F(kW - kR + 10, 0) + "\" x2=\"" + F(kW - kR + 22, 0) + "\" y1=\"" + F(kT + 4 + 16 * legend, 0) +
         "\" y2=\"" + F(kT + 4 + 16 * legend, 0) + "\" stroke=\"" + se.color + "\" stroke-width=\"2\"/><text x=\"" +
         F(kW - kR + 26, 0) + "\" y=\"" + F(kT + 8 + 16 * legend, 0) + "\">" + Esc(se.label) + "</text>\n";
    ++legend;
  }
  return s + "</svg>\n";
}

std::string SvgBarChart(const std::string& title, const std::vector<std::string>& labels,
                        const std::vector<double>& values, double reference) {
  const double row = 18, h = kT + row * labels.size() + 30, left = 160, width = 600;
  double mx = reference;
  for (double v : values) if (std::isfinite(v)) mx = std::max(mx, v);
  mx *= 1.1;
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + F(left + width + 80, 0) + "\" height=\"" + F(h, 0) +
                  "\" font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  s += "<text x=\"10\" y=\"18\" font-size=\"14\">" + Esc(title) + "</text>\n";
  for (size_t i = 0; i < labels.size(); ++i) {
    const double y = kT + row * i, v = std::isfinite(values[i]) ? values[i] : 0;
    s += "<text x=\"10\" y=\"" + F(y + 12, 0) + "\">" + Esc(labels[i]) + "</text><rect x=\"" + F(left, 0) + "\" y=\"" +
         F(y + 2, 0) + "\" width=\"" + F(width * v / mx, 1) + "\" height=\"12\" fill=\"" +
         (v <= reference ? "#2a9d8f" : "#e76f51") + "\"/><text x=\"" + F(left + width * v / mx + 4, 1) + "\" y=\"" +
         F(y + 12, 0) + "\">" + F(v, 3) + "</text>\n";
  }
  const double rx = left + width * reference / mx;
  s += "<line x1=\"" + F(rx, 1) + "\" x2=\"" + F(rx, 1) + "\" y1=\"" + F(kT, 0) + "\" y2=\"" + F(h - 20, 0) +
       "\" stroke=\"black\" stroke-dasharray=\"4 3\"/><text x=\"" + F(rx + 3, 1) + "\" y=\"" + F(h - 8, 0) + "\">" +
       F(reference, 2) + "</text>\n";
  return s + "</svg>\n";
}

std::string MetricsText(const std::vector<ModelMetrics>& m) {
  std::string s;
  char b[160];
  std::snprintf(b, sizeof b, "%-10s %3s %6s %12s %9s %8s\n", "model", "h", "n", "MAE", "MAPE%", "MASE");
  s += b;
  for (const auto& x : m) {
    std::snprintf(b, sizeof b, "%-10s %3d %6zu %12.5f %9.3f %8.4f\n", x.model.c_str(), x.horizon, x.n, x.mae, x.mape, x.mase);
    s += b;
  }
  return s;
}

std::string MetricsMarkdown(const std::vector<ModelMetrics>& m) {
  std::string s = "| model | horizon | n | MAE | MAPE % | MASE vs naive |\n|---|---:|---:|---:|---:|---:|\n";
  for (const auto& x : m)
    s += "| " + x.model + " | " + std::to_string(x.horizon) + " | " + std::to_string(x.n) + " | " + F(x.mae, 4) +
         " | " + F(x.mape, 3) + " | " + (x.model == "ensemble" ? "**" + F(x.mase, 4) + "**" : F(x.mase, 4)) + " |\n";
  return s;
}

}  // namespace cx::ml
