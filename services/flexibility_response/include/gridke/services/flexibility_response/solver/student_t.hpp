#pragma once
// Student-t distribution: CDF and quantile, through the regularised incomplete beta function.
//
// Formulas (DLMF = NIST Digital Library of Mathematical Functions):
//  * I_x(a, b) = x^a y^b / (a B(a, b)) * 1/(1+ d1/(1+ d2/(1+ ...))), y = 1 - x   (DLMF 8.17.22)
//    d_{2m+1} = -(a+m)(a+b+m) x / ((a+2m)(a+2m+1)),  d_{2m} = m(b-m) x / ((a+2m-1)(a+2m)),
//    evaluated by the modified Lentz algorithm; for x > (a+1)/(a+b+2) the symmetry
//    I_x(a, b) = 1 - I_y(b, a) (DLMF 8.17.4) keeps the fraction in its fast-converging range.
//  * ln B(a, b) for a >= 10 uses Stirling's series with the error term
//    ln Γ(z) = (z - 1/2) ln z - z + ln(2π)/2 + Σ B_2k / (2k(2k-1) z^(2k-1))   (DLMF 5.11.1),
//    so the large terms cancel analytically (as C. Loader's "stirlerr" in R's dbinom/dt) and
//    ln B stays accurate to a few ulp for large degrees of freedom.
//  * Student-t with ν degrees of freedom, t > 0: upper tail Q(t) = I_{ν/(ν+t²)}(ν/2, 1/2) / 2
//    (DLMF 8.17.1 / Abramowitz & Stegun 26.7.1); CDF F(t) = 1 - Q(t), F(-t) = Q(t).
//  * Quantile: the root of Q(t) = p on a bracket [0, hi] by Newton steps on t with the density
//    f(t) = (1 + t²/ν)^(-(ν+1)/2) / (sqrt(ν) B(ν/2, 1/2)), bisection whenever a step leaves the
//    bracket. Q is convex on t > 0, so this converges from any start.
// Accuracy: matches scipy.stats.t.cdf / t.ppf to 1e-12 relative on ν in [1, 10^4],
// probabilities in [1e-10, 1 - 1e-10] (tests/flexibility_response/student_t_test.cpp).
//
// Thread safety: pure functions. Ownership: values only.

#include "gridke/base/result.hpp"

namespace gridke::services::flexibility_response::solver {

/// Relative stopping tolerance of the continued fraction and of the quantile iteration.
inline constexpr double kStudentTRelativeTolerance = 1e-16;
/// Iteration cap of the continued fraction (it needs O(sqrt(max(a, b))) terms).
inline constexpr int kIncompleteBetaMaxIterations = 100000;
/// Iteration cap of the safeguarded Newton/bisection quantile search.
inline constexpr int kQuantileMaxIterations = 400;

/// Regularised incomplete beta I_x(a, b).
/// Errors: invalid_argument when a <= 0, b <= 0, x outside [0, 1] or any argument is not finite;
/// numerical when the continued fraction does not converge in kIncompleteBetaMaxIterations.
Result<double> regularized_incomplete_beta(double a, double b, double x);

/// ln B(a, b) = ln Γ(a) + ln Γ(b) - ln Γ(a+b). REQUIRES: a > 0, b > 0.
double log_beta(double a, double b);

/// P(T <= t) for T ~ Student-t with `dof` degrees of freedom (dof may be fractional).
/// Errors: invalid_argument when dof <= 0 or t / dof is NaN.
Result<double> student_t_cdf(double t, double dof);

/// The t with P(T <= t) = probability (scipy's t.ppf).
/// Errors: invalid_argument when probability is outside (0, 1) or dof <= 0; numerical when the
/// search does not converge in kQuantileMaxIterations.
Result<double> student_t_quantile(double probability, double dof);

}  // namespace gridke::services::flexibility_response::solver
