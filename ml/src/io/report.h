// Report rendering: SVG charts and Markdown tables for ml/reports/. Builds strings only;
// the CLI writes them. NaN points are gaps. Thread-safe.
#pragma once
#include <string>
#include <vector>

#include "training/backtest.h"

namespace cx::ml {

struct SvgSeries {
  std::string label;
  std::string color;
  std::vector<double> y;  // one value per x position; NaN = no point
  bool dashed = false;
};
struct SvgBand {
  std::string label;
  std::string color;
  std::vector<double> lo, hi;
};

// A line chart over x positions 0..n-1 labelled by x_labels (a few are printed).
std::string SvgLineChart(const std::string& title, const std::vector<std::string>& x_labels,
                         const std::vector<SvgSeries>& series, const std::vector<SvgBand>& bands = {});
// Horizontal bars with a reference line (e.g. MASE = 1).
std::string SvgBarChart(const std::string& title, const std::vector<std::string>& labels,
                        const std::vector<double>& values, double reference);

// Fixed-width text table (for the terminal) and Markdown table of backtest metrics.
std::string MetricsText(const std::vector<ModelMetrics>& m);
std::string MetricsMarkdown(const std::vector<ModelMetrics>& m);

}  // namespace cx::ml
