#pragma once
// Multi-target linear regression of voltage changes on power changes (NOTES §1.3 step 4), all
// targets at once with one design matrix, on pair-wise complete moments.
//
// Model (per target i, rows t = time differences):  y_t,i = sum_j x_t,j b_j,i + e_t,i, no
// intercept (first differences have zero mean; VoltTune's lstsq has none either).
//
// Moments with gaps ("pair-wise completeness", NOTES §1.3 step 1): missing entries are 0 in X0 and
// Y0 and 0 in the masks Mx, My (1 = present). Pair-wise averages
//   G = (X0' X0) ./ (Mx' Mx),   C = (X0' Y0) ./ (Mx' My),   s_i = (Y0' Y0)_ii / n_i
// use every row where both members of a pair are present, so one meter's gap does not delete the
// row for the other 149 (complete-case deletion would keep ~0.99^300 = 5 % of rows at 1 % gaps).
// Without gaps G = X'X / T and C = X'Y / T exactly, so B below equals numpy.linalg.lstsq(X, Y).
//
// Estimate:  B = (G + lambda I)^-1 C  (Cholesky; lambda = 0 is OLS, lambda > 0 ridge — the
// "ridge on deviations" of Talkington et al. 2023 / NOTES §1.2).
// Residual variance per target (moment form): rss_i / n_i = s_i - 2 b_i'c_i + b_i'G b_i.
// Standard errors (NOTES §1.3 step 5): Cov(b_i) = sigma_i^2 / n_i * W G W, W = (G + lambda I)^-1
// (the ridge sandwich; = sigma_i^2 (X'X)^-1 for OLS), sigma_i^2 = rss_i / (n_i - p).
// R^2_i = 1 - rss_i / (n_i s_i) (uncentred, as the model has no intercept).
// lambda selection (optional): generalised cross-validation on the eigen-decomposition of G,
//   GCV(lambda) = sum_i rss_i(lambda) / (1 - df(lambda)/n)^2,  df = sum_k e_k / (e_k + lambda)
// (Golub, Heath, Wahba, Technometrics 21(2), 1979).
// Robust refit (optional): residuals beyond `trim_threshold` robust standard deviations
// (1.4826 MAD) are removed from that target's moments by a rank downdate of G and C, and the
// target is re-solved; standard errors of refitted targets keep the untrimmed W (documented
// approximation, exact when nothing is trimmed).
//
// Thread safety: pure functions (large products use one helper thread internally, joined before
// fit() returns). Ownership: results are values.

#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/services/sensitivities/solver/linear_algebra.hpp"

namespace gridke::services::sensitivities::solver {

/// Regressors X (T x p) and targets Y (T x n), missing entries already replaced by 0, with 0/1
/// masks; an empty mask means "nothing missing" (the fast path: two products instead of four).
struct RegressionProblem {
  Matrix x;
  Matrix y;
  Matrix x_mask;  ///< T x p or empty
  Matrix y_mask;  ///< T x n or empty
};

struct RegressionOptions {
  double lambda = 0.0;             ///< ridge parameter on the averaged moments (units of G)
  bool select_lambda_gcv = false;  ///< choose lambda by GCV (overrides `lambda`)
  int robust_iterations = 0;       ///< residual-trimming refits (0 = none)
  double trim_threshold = 5.0;     ///< in robust standard deviations of the residual
};

/// The smallest pair count accepted for any moment; below it the regressor is not identifiable.
inline constexpr double kMinPairCount = 10.0;
/// Cholesky pivot^2 / diagonal below this = collinear regressors (about 1e4 x double epsilon^(1/2)
/// squared: keeps the OLS solution accurate to ~1e-8 relative).
inline constexpr double kRelativePivotTolerance = 1e-12;
/// GCV grid: lambda = trace(G)/p * 10^k for k in [kGcvLowestExponent, kGcvHighestExponent].
inline constexpr int kGcvLowestExponent = -10;
inline constexpr int kGcvHighestExponent = 0;
/// Scale factor from MAD to a normal standard deviation.
inline constexpr double kMadToSigma = 1.4826;

struct RegressionResult {
  Matrix coefficients;            ///< p x n: column i = b_i
  Matrix standard_errors;         ///< p x n
  Vector r_squared;               ///< n
  Vector residual_sigma;          ///< n, same unit as y
  Vector samples;                 ///< n: rows where target i is present (n_i)
  std::vector<int> trimmed_rows;  ///< n: rows removed by the robust refit per target
  double lambda = 0.0;            ///< the lambda used
  double condition_number = 0.0;  ///< of G (2-norm, from its eigenvalues)
};

/// Fits all targets. Errors: invalid_argument for mismatched shapes or masks; numerical when
/// G + lambda I is not positive definite (collinear or constant regressors), naming the column
/// with the smallest pivot, or when a pair count is below kMinPairCount (names the column).
Result<RegressionResult> fit(const RegressionProblem& problem, const RegressionOptions& options);

}  // namespace gridke::services::sensitivities::solver
