// OLS with classical inference; formulas in solver/ols.hpp.

#include "gridke/services/flexibility_response/solver/ols.hpp"

#include <Eigen/QR>
#include <cassert>
#include <cmath>
#include <string>

#include "gridke/services/flexibility_response/solver/student_t.hpp"

namespace gridke::services::flexibility_response::solver {

Result<OlsFit> fit_ols(MatrixRef x, VectorRef y) {
  const Eigen::Index n = x.rows();
  const Eigen::Index p = x.cols();
  if (y.size() != n) {
    return invalid_argument("OLS: X has " + std::to_string(n) + " rows but y has " +
                            std::to_string(y.size()) + " entries");
  }
  if (p == 0 || n <= p) {
    return invalid_argument("OLS: " + std::to_string(n) + " observations for " + std::to_string(p) +
                            " coefficients leave no residual degrees of freedom");
  }
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!std::isfinite(y(i))) {
      return invalid_argument("OLS: y is not finite in row " + std::to_string(i));
    }
    for (Eigen::Index j = 0; j < p; ++j) {
      if (!std::isfinite(x(i, j))) {
        return invalid_argument("OLS: X is not finite in row " + std::to_string(i) + ", column " +
                                std::to_string(j));
      }
    }
  }
  Eigen::ColPivHouseholderQR<Matrix> qr(x);
  const auto& r = qr.matrixR();
  const double largest = std::fabs(r(0, 0));
  for (Eigen::Index j = 0; j < p; ++j) {
    const double ratio = largest > 0.0 ? std::fabs(r(j, j)) / largest : 0.0;
    if (!(ratio > kRankRelativeTolerance)) {
      return numerical("OLS: design matrix is rank-deficient: column " +
                       std::to_string(qr.colsPermutation().indices()(j)) +
                       " depends on the others (pivot ratio " + std::to_string(ratio) +
                       " <= tolerance " + std::to_string(kRankRelativeTolerance) + ")");
    }
  }
  OlsFit fit;
  fit.nobs = n;
  fit.df_resid = n - p;
  fit.coefficients = qr.solve(y);
  const Vector residual = y - x * fit.coefficients;
  fit.rss = residual.squaredNorm();
  fit.sigma2 = fit.rss / static_cast<double>(fit.df_resid);
  const double tss = (y.array() - y.mean()).square().sum();
  fit.r_squared = tss > 0.0 ? 1.0 - fit.rss / tss : 0.0;
  // (X'X)^-1 = P R^-1 R^-T P'.
  const Matrix r_inverse =
      r.topLeftCorner(p, p).triangularView<Eigen::Upper>().solve(Matrix::Identity(p, p));
  const Matrix unscaled_pivoted = r_inverse * r_inverse.transpose();
  const auto& permutation = qr.colsPermutation();
  fit.covariance = permutation * unscaled_pivoted * permutation.transpose();
  fit.covariance *= fit.sigma2;
  fit.standard_errors = fit.covariance.diagonal().cwiseSqrt();
  return fit;
}

Vector t_statistics(const OlsFit& fit) {
  return fit.coefficients.cwiseQuotient(fit.standard_errors);
}

Result<Vector> p_values(const OlsFit& fit) {
  const Vector t = t_statistics(fit);
  Vector p(t.size());
  for (Eigen::Index j = 0; j < t.size(); ++j) {
    GRIDKE_ASSIGN_OR_RETURN(const double lower,
                            student_t_cdf(-std::fabs(t(j)), static_cast<double>(fit.df_resid)));
    p(j) = 2.0 * lower;
  }
  return p;
}

Prediction predict_with_quantile(const OlsFit& fit, VectorRef x0, double t_quantile) {
  assert(x0.size() == fit.coefficients.size());
  Prediction out;
  out.mean = x0.dot(fit.coefficients);
  out.mean_se = std::sqrt(x0.dot(fit.covariance * x0));
  const double mean_half = t_quantile * out.mean_se;
  const double obs_half = t_quantile * std::sqrt(out.mean_se * out.mean_se + fit.sigma2);
  out.mean_ci_lower = out.mean - mean_half;
  out.mean_ci_upper = out.mean + mean_half;
  out.obs_ci_lower = out.mean - obs_half;
  out.obs_ci_upper = out.mean + obs_half;
  return out;
}

Result<Prediction> predict(const OlsFit& fit, VectorRef x0, double alpha) {
  if (x0.size() != fit.coefficients.size()) {
    return invalid_argument("OLS prediction: x0 has " + std::to_string(x0.size()) +
                            " entries, the model has " + std::to_string(fit.coefficients.size()) +
                            " coefficients");
  }
  if (!(alpha > 0.0 && alpha < 1.0)) {
    return invalid_argument("OLS prediction: alpha must be in (0, 1), got " +
                            std::to_string(alpha));
  }
  GRIDKE_ASSIGN_OR_RETURN(const double q,
                          student_t_quantile(1.0 - 0.5 * alpha, static_cast<double>(fit.df_resid)));
  return predict_with_quantile(fit, x0, q);
}

}  // namespace gridke::services::flexibility_response::solver
