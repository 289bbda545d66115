#include "utils/optimize.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace cx::ml {

NelderMeadResult NelderMead(const std::function<double(const std::vector<double>&)>& f,
                            const std::vector<double>& x0, const NelderMeadOptions& opt) {
  const size_t n = x0.size();
  std::vector<std::vector<double>> s(n + 1, x0);
  for (size_t i = 0; i < n; ++i) s[i + 1][i] += opt.initial_step;
  std::vector<double> fv(n + 1);
  for (size_t i = 0; i <= n; ++i) fv[i] = f(s[i]);
  std::vector<size_t> idx(n + 1);
  NelderMeadResult res;
  int it = 0;
  for (; it < opt.max_iterations; ++it) {
    std::iota(idx.begin(), idx.end(), 0);
    std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return fv[a] < fv[b]; });
    const size_t best = idx[0], worst = idx[n], second = idx[n - 1];
    if (std::isfinite(fv[worst]) && std::fabs(fv[worst] - fv[best]) < opt.tolerance) {
      res.converged = true;
      break;
    }
    std::vector<double> c(n, 0.0);
    for (size_t i = 0; i <= n; ++i)
      if (i != worst)
        for (size_t k = 0; k < n; ++k) c[k] += s[i][k] / static_cast<double>(n);
    auto along = [&](double t) {
      std::vector<double> p(n);
      for (size_t k = 0; k < n; ++k) p[k] = c[k] + t * (s[worst][k] - c[k]);
      return p;
    };
    auto xr = along(-1.0);
    const double fr = f(xr);
    if (fr < fv[best]) {
      auto xe = along(-2.0);
      const double fe = f(xe);
      if (fe < fr) { s[worst] = xe; fv[worst] = fe; } else { s[worst] = xr; fv[worst] = fr; }
    } else if (fr < fv[second]) {
      s[worst] = xr; fv[worst] = fr;
    } else {
      auto xc = fr < fv[worst] ? along(-0.5) : along(0.5);
      const double fc = f(xc);
      if (fc < std::min(fr, fv[worst])) {
        s[worst] = xc; fv[worst] = fc;
      } else {  // shrink towards the best vertex
        for (size_t i = 0; i <= n; ++i) {
          if (i == best) continue;
          for (size_t k = 0; k < n; ++k) s[i][k] = s[best][k] + 0.5 * (s[i][k] - s[best][k]);
          fv[i] = f(s[i]);
        }
      }
    }
  }
  size_t b = 0;
  for (size_t i = 1; i <= n; ++i) if (fv[i] < fv[b]) b = i;
  res.x = s[b];
  res.value = fv[b];
  res.iterations = it;
  return res;
}

}  // namespace cx::ml
