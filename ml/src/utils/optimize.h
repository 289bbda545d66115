// Derivative-free minimisation (Nelder-Mead simplex) for small smooth problems such as
// the GARCH likelihood or Holt smoothing parameters. Pure, deterministic, thread-safe.
#pragma once
#include <functional>
#include <vector>

namespace cx::ml {

struct NelderMeadOptions {
  int max_iterations = 2000;
  double tolerance = 1e-10;  // stop when the simplex's f-values spread below this
  double initial_step = 0.1; // size of the initial simplex along each axis
};

struct NelderMeadResult {
  std::vector<double> x;
  double value = 0;
  int iterations = 0;
  bool converged = false;
};

// Minimises f starting at x0. f may return +inf for infeasible points.
NelderMeadResult NelderMead(const std::function<double(const std::vector<double>&)>& f,
                            const std::vector<double>& x0, const NelderMeadOptions& opt = {});

}  // namespace cx::ml
