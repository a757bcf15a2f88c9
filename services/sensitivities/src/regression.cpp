// Multi-target pair-wise least squares; formulas in solver/regression.hpp.

#include "gridke/services/sensitivities/solver/regression.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

namespace gridke::services::sensitivities::solver {
namespace {

// Below this many multiply-adds (rows x p x (p + n)) the products run on the calling thread.
constexpr double kParallelWork = 2e7;

// Raw (unnormalised) sums, kept so that the robust refit can downdate them per target.
struct RawMoments {
  Matrix g;   // X0'X0
  Matrix c;   // X0'Y0
  Vector yy;  // diag(Y0'Y0)
  Matrix ng;  // Mx'Mx (or filled with T)
  Matrix nc;  // Mx'My (or filled with T)
  Vector ny;  // column sums of My (or T)
};

Matrix gram(const MatrixRef& a) {
  Matrix g = Matrix::Zero(a.cols(), a.cols());
  g.selfadjointView<Eigen::Lower>().rankUpdate(a.transpose());
  return g.selfadjointView<Eigen::Lower>();
}

// {A'A, A'B}. Large products are split into two row blocks computed on two threads and summed
// (the anchor, OpenBLAS, also uses 2 threads; Eigen's own GEMM is single-threaded without
// OpenMP). Different summation order only: results agree to rounding.
std::pair<Matrix, Matrix> products(const MatrixRef& a, const MatrixRef& b) {
  const Eigen::Index rows = a.rows();
  const double work = static_cast<double>(rows) * static_cast<double>(a.cols()) *
                      static_cast<double>(a.cols() + b.cols());
  if (work < kParallelWork || std::thread::hardware_concurrency() < 2) {
    Matrix ab = a.transpose() * b;
    return {gram(a), std::move(ab)};
  }
  const Eigen::Index half = rows / 2;
  Matrix g_low, c_low;
  std::thread helper([&] {
    g_low = gram(a.bottomRows(rows - half));
    c_low.noalias() = a.bottomRows(rows - half).transpose() * b.bottomRows(rows - half);
  });
  Matrix g = gram(a.topRows(half));
  Matrix c = a.topRows(half).transpose() * b.topRows(half);
  helper.join();
  g += g_low;
  c += c_low;
  return {std::move(g), std::move(c)};
}

RawMoments raw_moments(const RegressionProblem& pr) {
  const auto rows = static_cast<double>(pr.x.rows());
  RawMoments m;
  std::tie(m.g, m.c) = products(pr.x, pr.y);
  m.yy = pr.y.colwise().squaredNorm().transpose();
  if (pr.x_mask.size() == 0 && pr.y_mask.size() == 0) {
    m.ng = Matrix::Constant(pr.x.cols(), pr.x.cols(), rows);
    m.nc = Matrix::Constant(pr.x.cols(), pr.y.cols(), rows);
    m.ny = Vector::Constant(pr.y.cols(), rows);
    return m;
  }
  const Matrix ones_x = pr.x_mask.size() == 0 ? Matrix::Ones(pr.x.rows(), pr.x.cols()) : Matrix();
  const Matrix ones_y = pr.y_mask.size() == 0 ? Matrix::Ones(pr.y.rows(), pr.y.cols()) : Matrix();
  const Matrix& mx = pr.x_mask.size() == 0 ? ones_x : pr.x_mask;
  const Matrix& my = pr.y_mask.size() == 0 ? ones_y : pr.y_mask;
  std::tie(m.ng, m.nc) = products(mx, my);
  m.ny = my.colwise().sum().transpose();
  return m;
}

std::string column_error(const char* what, Eigen::Index column, double value) {
  return std::string(what) + " column " + std::to_string(column) + " (" + std::to_string(value) +
         ")";
}

// rss_i / n_i for coefficients b against averaged moments.
double mean_rss(double s, const VectorRef& b, const VectorRef& c, const MatrixRef& g) {
  return std::max(0.0, s - 2.0 * b.dot(c) + b.dot(g * b));
}

double median_of(std::vector<double>& v) {
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

double choose_lambda_gcv(const Matrix& g, const Matrix& c, const Vector& s, const Vector& n) {
  Eigen::SelfAdjointEigenSolver<Matrix> es(g);
  const Vector& e = es.eigenvalues();
  const Matrix ct = es.eigenvectors().transpose() * c;
  const double scale = g.trace() / static_cast<double>(g.rows());
  const double mean_n = n.mean();
  double best_lambda = 0.0;
  double best_gcv = std::numeric_limits<double>::infinity();
  for (int k = kGcvLowestExponent - 1; k <= kGcvHighestExponent; ++k) {
    // k below the grid stands for lambda = 0 (plain OLS), allowed only when G is definite.
    const double lambda = k < kGcvLowestExponent ? 0.0 : scale * std::pow(10.0, k);
    if (e.minCoeff() + lambda <= 0.0) continue;
    const Vector inv = (e.array() + lambda).inverse().matrix();
    const Vector shrink = (2.0 * inv.array() - e.array() * inv.array().square()).matrix();
    double rss = 0.0;
    for (Eigen::Index i = 0; i < c.cols(); ++i) {
      rss += n(i) * std::max(0.0, s(i) - ct.col(i).array().square().matrix().dot(shrink));
    }
    const double df = (e.array() * inv.array()).sum();
    const double denom = 1.0 - df / mean_n;
    if (denom <= 0.0) continue;
    const double gcv = rss / (denom * denom);
    if (gcv < best_gcv) {
      best_gcv = gcv;
      best_lambda = lambda;
    }
  }
  return best_lambda;
}

Result<void> check_shapes(const RegressionProblem& pr) {
  const auto t = pr.x.rows();
  if (pr.x.cols() == 0 || pr.y.cols() == 0) {
    return invalid_argument("regression needs at least one regressor and one target (got " +
                            std::to_string(pr.x.cols()) + " and " + std::to_string(pr.y.cols()) +
                            ")");
  }
  if (pr.y.rows() != t) {
    return invalid_argument("regressors have " + std::to_string(t) + " rows but targets have " +
                            std::to_string(pr.y.rows()));
  }
  if (pr.x_mask.size() != 0 && (pr.x_mask.rows() != t || pr.x_mask.cols() != pr.x.cols())) {
    return invalid_argument("regressor mask shape differs from the regressors");
  }
  if (pr.y_mask.size() != 0 && (pr.y_mask.rows() != t || pr.y_mask.cols() != pr.y.cols())) {
    return invalid_argument("target mask shape differs from the targets");
  }
  if (t <= pr.x.cols()) {
    return invalid_argument("regression needs more rows than regressors (" + std::to_string(t) +
                            " rows, " + std::to_string(pr.x.cols()) + " regressors)");
  }
  return ok();
}

// Factors G + lambda I; a pivot below kRelativePivotTolerance x its diagonal entry (or a failed
// Cholesky) means collinear or constant regressors, reported with the weakest column.
Result<Eigen::LLT<Matrix>> factor(const Matrix& g, double lambda) {
  Matrix a = g;
  a.diagonal().array() += lambda;
  Eigen::LLT<Matrix> llt(a);
  Eigen::Index weakest = 0;
  double weakest_ratio = 1.0;
  if (llt.info() == Eigen::Success) {
    const Matrix& l = llt.matrixLLT();
    for (Eigen::Index j = 0; j < a.rows(); ++j) {
      const double ratio = a(j, j) > 0.0 ? l(j, j) * l(j, j) / a(j, j) : 0.0;
      if (ratio < weakest_ratio) {
        weakest_ratio = ratio;
        weakest = j;
      }
    }
  } else {
    weakest_ratio = 0.0;
    a.diagonal().minCoeff(&weakest);
  }
  if (llt.info() != Eigen::Success || weakest_ratio < kRelativePivotTolerance) {
    return Error(ErrorCode::numerical,
                 "normal matrix G + lambda I (lambda " + std::to_string(lambda) +
                     ") is singular: regressors are collinear or constant; smallest relative "
                     "pivot at " +
                     column_error("regressor", weakest, weakest_ratio) + ", tolerance " +
                     std::to_string(kRelativePivotTolerance));
  }
  return llt;
}

}  // namespace

Result<RegressionResult> fit(const RegressionProblem& pr, const RegressionOptions& options) {
  GRIDKE_TRY(check_shapes(pr));
  const Eigen::Index p = pr.x.cols();
  const Eigen::Index n = pr.y.cols();
  RawMoments raw = raw_moments(pr);
  Eigen::Index where = 0;
  if (const double least = raw.ng.diagonal().minCoeff(&where); least < kMinPairCount) {
    return Error(ErrorCode::numerical, "too few samples for " +
                                           column_error("regressor", where, least) + "; at least " +
                                           std::to_string(kMinPairCount) + " needed");
  }
  if (const double least = raw.ny.minCoeff(&where); least < kMinPairCount) {
    return Error(ErrorCode::numerical, "too few samples for " +
                                           column_error("target", where, least) + "; at least " +
                                           std::to_string(kMinPairCount) + " needed");
  }
  if (const double least = raw.ng.minCoeff(); least < 1.0) {
    return Error(ErrorCode::numerical,
                 "two regressors are never present at the same time; their joint effect "
                 "cannot be estimated");
  }
  const Matrix g = raw.g.cwiseQuotient(raw.ng);
  const Matrix c = raw.c.cwiseQuotient(raw.nc.cwiseMax(1.0));
  Vector s = raw.yy.cwiseQuotient(raw.ny);

  RegressionResult out;
  out.lambda = options.select_lambda_gcv ? choose_lambda_gcv(g, c, s, raw.ny) : options.lambda;
  if (out.lambda < 0.0 || !std::isfinite(out.lambda)) {
    return invalid_argument("ridge lambda must be finite and >= 0, got " +
                            std::to_string(out.lambda));
  }
  GRIDKE_ASSIGN_OR_RETURN(auto llt, factor(g, out.lambda));
  out.coefficients = llt.solve(c);
  const Matrix w = llt.solve(Matrix::Identity(p, p));
  const Vector d = out.lambda == 0.0 ? Vector(w.diagonal()) : Vector((w * g * w).diagonal());
  out.condition_number = 1.0 / llt.rcond();
  out.samples = raw.ny;
  out.trimmed_rows.assign(static_cast<std::size_t>(n), 0);
  Vector rss(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    rss(i) = mean_rss(s(i), out.coefficients.col(i), c.col(i), g);
  }

  // Robust refit: trim large residuals per target and re-solve that target.
  std::vector<std::vector<Eigen::Index>> trimmed(static_cast<std::size_t>(n));
  Eigen::Matrix<bool, Eigen::Dynamic, 1> judged =
      Eigen::Matrix<bool, Eigen::Dynamic, 1>::Constant(pr.x.rows(), true);
  if (pr.x_mask.size() != 0) judged = (pr.x_mask.rowwise().minCoeff().array() > 0.5);
  for (int iteration = 0; iteration < options.robust_iterations; ++iteration) {
    const Matrix residual = pr.y - pr.x * out.coefficients;
    bool changed = false;
    for (Eigen::Index i = 0; i < n; ++i) {
      auto& rows = trimmed[static_cast<std::size_t>(i)];
      std::vector<double> r;
      r.reserve(static_cast<std::size_t>(pr.x.rows()));
      const auto present = [&](Eigen::Index t) {
        return judged(t) && (pr.y_mask.size() == 0 || pr.y_mask(t, i) > 0.5);
      };
      for (Eigen::Index t = 0; t < pr.x.rows(); ++t) {
        if (present(t)) r.push_back(residual(t, i));
      }
      if (r.size() < static_cast<std::size_t>(kMinPairCount)) continue;
      const double med = median_of(r);
      for (double& v : r) v = std::abs(v - med);
      const double mad = median_of(r);
      if (mad <= 0.0) continue;
      const double limit = options.trim_threshold * kMadToSigma * mad;
      std::vector<Eigen::Index> flagged;
      for (Eigen::Index t = 0; t < pr.x.rows(); ++t) {
        if (present(t) && std::abs(residual(t, i) - med) > limit &&
            !std::binary_search(rows.begin(), rows.end(), t)) {
          flagged.push_back(t);
        }
      }
      if (flagged.empty()) continue;
      changed = true;
      rows.insert(rows.end(), flagged.begin(), flagged.end());
      std::sort(rows.begin(), rows.end());
      // Downdate the raw moments by the trimmed rows of this target.
      Matrix gi = raw.g;
      Matrix ngi = raw.ng;
      Vector ci = raw.c.col(i);
      Vector nci = raw.nc.col(i);
      double yyi = raw.yy(i);
      double nyi = raw.ny(i);
      for (const Eigen::Index t : rows) {
        const Vector xt = pr.x.row(t).transpose();
        const Vector mt = pr.x_mask.size() == 0 ? Vector::Ones(p) : Vector(pr.x_mask.row(t));
        gi.noalias() -= xt * xt.transpose();
        ngi.noalias() -= mt * mt.transpose();
        ci -= xt * pr.y(t, i);
        nci -= mt;
        yyi -= pr.y(t, i) * pr.y(t, i);
        nyi -= 1.0;
      }
      const Matrix gni = gi.cwiseQuotient(ngi.cwiseMax(1.0));
      const Vector cni = ci.cwiseQuotient(nci.cwiseMax(1.0));
      GRIDKE_ASSIGN_OR_RETURN(auto llt_i, factor(gni, out.lambda));
      out.coefficients.col(i) = llt_i.solve(cni);
      rss(i) = mean_rss(yyi / nyi, out.coefficients.col(i), cni, gni);
      out.samples(i) = nyi;
      s(i) = yyi / nyi;
      out.trimmed_rows[static_cast<std::size_t>(i)] = static_cast<int>(rows.size());
    }
    if (!changed) break;
  }

  out.standard_errors.resize(p, n);
  out.r_squared.resize(n);
  out.residual_sigma.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double ni = out.samples(i);
    const double dof = std::max(1.0, ni - static_cast<double>(p));
    const double sigma2 = rss(i) * ni / dof;
    out.residual_sigma(i) = std::sqrt(sigma2);
    out.r_squared(i) = s(i) > 0.0 ? 1.0 - rss(i) / s(i) : 0.0;
    out.standard_errors.col(i) = (d.array().max(0.0) * (sigma2 / ni)).sqrt().matrix();
  }
  return out;
}

}  // namespace gridke::services::sensitivities::solver
