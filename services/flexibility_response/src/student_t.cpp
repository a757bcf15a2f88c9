// Student-t CDF and quantile via the regularised incomplete beta function; formulas and sources in
// solver/student_t.hpp.

#include "gridke/services/flexibility_response/solver/student_t.hpp"

#include <cmath>
#include <limits>
#include <string>

namespace gridke::services::flexibility_response::solver {
namespace {

constexpr double kLentzTiny = 1e-300;        // replaces a zero denominator in the Lentz recursion
constexpr double kStirlingThreshold = 10.0;  // Stirling series is used for arguments >= this
constexpr double kLogSqrtTwoPi = 0.91893853320467274178;

// Stirling's series remainder: ln Γ(z) - [(z - 1/2) ln z - z + ln(2π)/2], z >= 10 (DLMF 5.11.1).
double stirling_remainder(double z) {
  const double r = 1.0 / z;
  const double r2 = r * r;
  return r * (1.0 / 12 +
              r2 * (-1.0 / 360 +
                    r2 * (1.0 / 1260 +
                          r2 * (-1.0 / 1680 +
                                r2 * (1.0 / 1188 + r2 * (-691.0 / 360360 + r2 * (1.0 / 156)))))));
}

// The continued fraction of DLMF 8.17.22 by the modified Lentz method; returns the fraction
// 1/(1+ d1/(1+ d2/(1+ ...))) and false when it did not converge.
bool incomplete_beta_fraction(double a, double b, double x, double& value) {
  double c = 1.0;
  double d = 1.0 - (a + b) * x / (a + 1.0);
  if (std::fabs(d) < kLentzTiny) d = kLentzTiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= kIncompleteBetaMaxIterations; ++m) {
    const double m2 = 2.0 * m;
    double coeff = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
    d = 1.0 + coeff * d;
    if (std::fabs(d) < kLentzTiny) d = kLentzTiny;
    c = 1.0 + coeff / c;
    if (std::fabs(c) < kLentzTiny) c = kLentzTiny;
    d = 1.0 / d;
    h *= d * c;
    coeff = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
    d = 1.0 + coeff * d;
    if (std::fabs(d) < kLentzTiny) d = kLentzTiny;
    c = 1.0 + coeff / c;
    if (std::fabs(c) < kLentzTiny) c = kLentzTiny;
    d = 1.0 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1.0) <= kStudentTRelativeTolerance) {
      value = h;
      return true;
    }
  }
  return false;
}

// I_x(a, b) with x and y = 1 - x given separately, plus ln x and ln y, so callers that know them
// without cancellation (the t distribution) keep full relative accuracy.
Result<double> incomplete_beta_xy(double a, double b, double x, double y, double log_x,
                                  double log_y) {
  if (x <= 0.0) return 0.0;
  if (y <= 0.0) return 1.0;
  const double log_front = a * log_x + b * log_y - log_beta(a, b);
  double fraction = 0.0;
  if (x < (a + 1.0) / (a + b + 2.0)) {
    if (!incomplete_beta_fraction(a, b, x, fraction)) {
      return numerical("incomplete beta I_x(a, b) did not converge in " +
                       std::to_string(kIncompleteBetaMaxIterations) +
                       " continued-fraction terms (a = " + std::to_string(a) +
                       ", b = " + std::to_string(b) + ", x = " + std::to_string(x) + ")");
    }
    return std::exp(log_front) * fraction / a;
  }
  if (!incomplete_beta_fraction(b, a, y, fraction)) {
    return numerical("incomplete beta I_y(b, a) did not converge in " +
                     std::to_string(kIncompleteBetaMaxIterations) +
                     " continued-fraction terms (a = " + std::to_string(b) +
                     ", b = " + std::to_string(a) + ", x = " + std::to_string(y) + ")");
  }
  return 1.0 - std::exp(log_front) * fraction / b;
}

// Upper tail Q(t) = P(T > t) for t >= 0.
Result<double> upper_tail(double t, double dof) {
  if (t == 0.0) return 0.5;
  const double r = t * t / dof;
  if (std::isinf(r)) return 0.0;
  const double x = 1.0 / (1.0 + r);
  const double y = r / (1.0 + r);
  const double log1p_r = std::log1p(r);
  GRIDKE_ASSIGN_OR_RETURN(
      const double ib, incomplete_beta_xy(0.5 * dof, 0.5, x, y, -log1p_r, std::log(r) - log1p_r));
  return 0.5 * ib;
}

double density(double t, double dof) {
  return std::exp(-0.5 * (dof + 1.0) * std::log1p(t * t / dof) - 0.5 * std::log(dof) -
                  log_beta(0.5 * dof, 0.5));
}

}  // namespace

double log_beta(double a, double b) {
  const double small = std::fmin(a, b);
  const double big = std::fmax(a, b);
  if (big < kStirlingThreshold) return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
  // ln Γ(big) - ln Γ(big + small) by Stirling with the large terms cancelled analytically:
  // -(big - 1/2) ln(1 + small/big) - small ln(big + small) + small + s(big) - s(big + small).
  const double difference = -(big - 0.5) * std::log1p(small / big) - small * std::log(big + small) +
                            small + stirling_remainder(big) - stirling_remainder(big + small);
  if (small >= kStirlingThreshold) {
    const double log_gamma_small =
        (small - 0.5) * std::log(small) - small + kLogSqrtTwoPi + stirling_remainder(small);
    return log_gamma_small + difference;
  }
  return std::lgamma(small) + difference;
}

Result<double> regularized_incomplete_beta(double a, double b, double x) {
  if (!(a > 0.0) || !(b > 0.0) || !std::isfinite(a) || !std::isfinite(b)) {
    return invalid_argument("incomplete beta needs a > 0 and b > 0, got a = " + std::to_string(a) +
                            ", b = " + std::to_string(b));
  }
  if (!(x >= 0.0 && x <= 1.0)) {
    return invalid_argument("incomplete beta needs x in [0, 1], got x = " + std::to_string(x));
  }
  return incomplete_beta_xy(a, b, x, 1.0 - x, std::log(x), std::log1p(-x));
}

Result<double> student_t_cdf(double t, double dof) {
  if (!(dof > 0.0)) {
    return invalid_argument("Student-t needs degrees of freedom > 0, got " + std::to_string(dof));
  }
  if (std::isnan(t)) return invalid_argument("Student-t CDF of NaN");
  GRIDKE_ASSIGN_OR_RETURN(const double q, upper_tail(std::fabs(t), dof));
  return t > 0.0 ? 1.0 - q : q;
}

Result<double> student_t_quantile(double probability, double dof) {
  if (!(dof > 0.0) || !std::isfinite(dof)) {
    return invalid_argument("Student-t needs finite degrees of freedom > 0, got " +
                            std::to_string(dof));
  }
  if (!(probability > 0.0 && probability < 1.0)) {
    return invalid_argument("Student-t quantile needs a probability in (0, 1), got " +
                            std::to_string(probability));
  }
  if (probability == 0.5) return 0.0;
  const double tail = probability < 0.5 ? probability : 1.0 - probability;
  // Bracket [lo, hi] with Q(lo) >= tail > Q(hi).
  double lo = 0.0;
  double hi = 1.0;
  for (;;) {
    GRIDKE_ASSIGN_OR_RETURN(const double q_hi, upper_tail(hi, dof));
    if (q_hi < tail) break;
    lo = hi;
    hi *= 2.0;
    if (!std::isfinite(hi)) return numerical("Student-t quantile bracket overflowed");
  }
  // Newton from the left end: Q is convex and decreasing on t > 0, so steps stay left of the root.
  double t = lo;
  for (int iteration = 0; iteration < kQuantileMaxIterations; ++iteration) {
    GRIDKE_ASSIGN_OR_RETURN(const double q, upper_tail(t, dof));
    if (q == tail) return probability < 0.5 ? -t : t;
    if (q > tail) {
      lo = std::fmax(lo, t);
    } else {
      hi = std::fmin(hi, t);
    }
    double next = t + (q - tail) / density(t, dof);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    const double step = std::fabs(next - t);
    t = next;
    if (step <= 4.0 * kStudentTRelativeTolerance * t ||
        hi - lo <= 4.0 * kStudentTRelativeTolerance * hi) {
      return probability < 0.5 ? -t : t;
    }
  }
  if (hi - lo > 1e-10 * hi) {
    return numerical(
        "Student-t quantile did not converge in " + std::to_string(kQuantileMaxIterations) +
        " iterations (p = " + std::to_string(probability) + ", dof = " + std::to_string(dof) + ")");
  }
  return probability < 0.5 ? -t : t;
}

}  // namespace gridke::services::flexibility_response::solver
