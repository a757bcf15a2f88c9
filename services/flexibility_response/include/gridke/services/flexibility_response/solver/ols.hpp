#pragma once
// Ordinary least squares with classical (non-robust) inference, as statsmodels' OLS(...).fit()
// and get_prediction(...).summary_frame(alpha) (NOTES §3.2; the reference check of
// tests/flexibility_response/ols_test.cpp reproduces statsmodels 0.13.5 to 1e-9 relative).
//
// With X (n x p) of full column rank:
//   beta = (X'X)^-1 X'y                  — column-pivoted Householder QR, X P = Q R, never X'X
//   rss = |y - X beta|^2,  df = n - p,  sigma^2 = rss / df
//   Cov(beta) = sigma^2 (X'X)^-1 = sigma^2 P R^-1 R^-T P'
//   se_j = sqrt(Cov_jj),  t_j = beta_j / se_j,  p_j = 2 P(T_df > |t_j|)
//   R^2 = 1 - rss / sum (y - mean y)^2  (centred: the models here always carry a constant)
// Prediction at a new row x0, level 1 - alpha, q = t_{df, 1 - alpha/2}:
//   mean = x0' beta,  mean_se = sqrt(x0' Cov x0)
//   confidence interval of the mean:  mean -/+ q mean_se
//   prediction interval (new obs):    mean -/+ q sqrt(mean_se^2 + sigma^2)
//
// Thread safety: pure functions. Ownership: results are values.

#include "gridke/base/result.hpp"
#include "gridke/services/flexibility_response/solver/linear_algebra.hpp"

namespace gridke::services::flexibility_response::solver {

/// A column whose |R_jj| is below this fraction of the largest |R_ii| makes X rank-deficient
/// (collinear regressors, e.g. a signal level that is always on in a slot). 1e-10 keeps
/// cond(R) < 1e10, so beta keeps ~6 correct digits even in the worst accepted case.
inline constexpr double kRankRelativeTolerance = 1e-10;

/// A fitted OLS model.
struct OlsFit {
  Vector coefficients;     ///< beta, p
  Vector standard_errors;  ///< sqrt(diag Cov), p
  Matrix covariance;       ///< sigma^2 (X'X)^-1, p x p
  double rss = 0.0;        ///< residual sum of squares
  double sigma2 = 0.0;     ///< rss / df_resid (statsmodels' `scale`)
  double r_squared = 0.0;  ///< centred R^2
  Eigen::Index nobs = 0;
  Eigen::Index df_resid = 0;
};

/// Fits y = X beta + e.
/// Errors: invalid_argument when rows(X) != size(y), n <= p (no residual degrees of freedom) or an
/// entry is not finite (names the row and column); numerical when X is rank-deficient (names the
/// first dependent column and the pivot ratio against kRankRelativeTolerance).
Result<OlsFit> fit_ols(MatrixRef x, VectorRef y);

/// t statistics beta_j / se_j.
Vector t_statistics(const OlsFit& fit);

/// Two-sided p-values 2 P(T_df > |t_j|). Errors: as student_t_cdf.
Result<Vector> p_values(const OlsFit& fit);

/// statsmodels' summary_frame row.
struct Prediction {
  double mean = 0.0;
  double mean_se = 0.0;
  double mean_ci_lower = 0.0;
  double mean_ci_upper = 0.0;
  double obs_ci_lower = 0.0;  ///< prediction interval
  double obs_ci_upper = 0.0;
};

/// Predicts at x0 (size p) with intervals of level 1 - alpha.
/// Errors: invalid_argument when size(x0) != p or alpha is outside (0, 1).
Result<Prediction> predict(const OlsFit& fit, VectorRef x0, double alpha);

/// The same, with the quantile t_{df, 1 - alpha/2} already computed (many predictions per fit).
/// REQUIRES: size(x0) == p.
Prediction predict_with_quantile(const OlsFit& fit, VectorRef x0, double t_quantile);

}  // namespace gridke::services::flexibility_response::solver
