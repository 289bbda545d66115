// Small numeric helpers over plain vectors of doubles: returns, moments, quantiles.
// Pure functions, no I/O, thread-safe. Empty input yields NaN where a value is undefined.
#pragma once
#include <span>
#include <vector>

namespace cx::ml {

// log(p[i] / p[i-1]) for i >= 1; size() - 1 values. Prices must be > 0.
std::vector<double> LogReturns(std::span<const double> prices);

double Mean(std::span<const double> x);
// Sample variance (n - 1 denominator); NaN for fewer than 2 values.
double Variance(std::span<const double> x);
double StdDev(std::span<const double> x);
// Empirical quantile with linear interpolation between order statistics (Hyndman-Fan
// type 7, the R/NumPy default). p in [0, 1].
double Quantile(std::vector<double> x, double p);
double Median(std::vector<double> x);
// Mean of x[from, to) ; caller guarantees the range is valid and non-empty.
double MeanRange(std::span<const double> x, size_t from, size_t to);

}  // namespace cx::ml
