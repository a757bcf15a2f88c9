// Tests for solver/regression.hpp: numpy lstsq equivalence (reference: Debian python3-numpy
// 1.24, LAPACK gelsd), pair-wise moments, ridge, robust refit and error paths.

#include "gridke/services/sensitivities/solver/regression.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "gridke_matchers.hpp"
#include "numpy_reference.hpp"

namespace gridke::services::sensitivities::solver {
namespace {

using ::testing::HasSubstr;

constexpr double kNumpyRelativeTolerance = 1e-9;

RegressionProblem random_problem(int rows, int p, int n, unsigned seed = 3) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  RegressionProblem pr;
  pr.x.resize(rows, p);
  for (Eigen::Index k = 0; k < pr.x.size(); ++k) pr.x.data()[k] = normal(rng);
  Matrix b(p, n);
  for (Eigen::Index k = 0; k < b.size(); ++k) b.data()[k] = normal(rng);
  pr.y = pr.x * b;
  for (Eigen::Index k = 0; k < pr.y.size(); ++k) pr.y.data()[k] += 0.3 * normal(rng);
  return pr;
}

double relative_error(const Matrix& a, const Matrix& b) { return (a - b).norm() / b.norm(); }

TEST(Regression, OlsMatchesNumpyLstsqAndItsStandardErrors) {
  if (!testing::numpy_available())
    GTEST_SKIP() << "python3-numpy not importable by /usr/bin/python3";
  const auto pr = random_problem(3000, 40, 25);
  const auto dir = testing::scratch_dir("lstsq");
  testing::write_matrix(dir / "x.txt", pr.x);
  testing::write_matrix(dir / "y.txt", pr.y);
  ASSERT_EQ(testing::run_python(dir, R"(
import numpy as np
x = np.loadtxt('x.txt'); y = np.loadtxt('y.txt')
b = np.linalg.lstsq(x, y, rcond=None)[0]
r = y - x @ b
t, p = x.shape
sigma2 = (r * r).sum(axis=0) / (t - p)
se = np.sqrt(np.outer(np.diag(np.linalg.inv(x.T @ x)), sigma2))
np.savetxt('b.txt', b, fmt='%.17g'); np.savetxt('se.txt', se, fmt='%.17g')
)"),
            0);
  const auto fitted = fit(pr, {});
  ASSERT_THAT(fitted, IsOk());
  const Matrix b = testing::read_matrix(dir / "b.txt", 40, 25);
  const Matrix se = testing::read_matrix(dir / "se.txt", 40, 25);
  EXPECT_LT(relative_error(fitted->coefficients, b), kNumpyRelativeTolerance);
  EXPECT_LT(relative_error(fitted->standard_errors, se), 1e-7);
  EXPECT_EQ(fitted->lambda, 0.0);
  std::filesystem::remove_all(dir);
}

TEST(Regression, RowWiseGapsEqualCompleteCaseDeletion) {
  auto pr = random_problem(500, 5, 3);
  RegressionProblem gappy = pr;
  gappy.x_mask = Matrix::Ones(500, 5);
  gappy.y_mask = Matrix::Ones(500, 3);
  RegressionProblem kept;
  kept.x.resize(0, 5);
  std::vector<Eigen::Index> rows;
  for (Eigen::Index t = 0; t < 500; ++t) {
    if (t % 7 == 3) {
      gappy.x.row(t).setZero();
      gappy.y.row(t).setZero();
      gappy.x_mask.row(t).setZero();
      gappy.y_mask.row(t).setZero();
    } else {
      rows.push_back(t);
    }
  }
  kept.x = pr.x(rows, Eigen::all);
  kept.y = pr.y(rows, Eigen::all);
  const auto a = fit(gappy, {});
  const auto b = fit(kept, {});
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_LT(relative_error(a->coefficients, b->coefficients), 1e-12);
  EXPECT_EQ(a->samples(0), static_cast<double>(rows.size()));
}

TEST(Regression, RidgeShrinksAndGcvPicksSmallLambdaOnGoodData) {
  const auto pr = random_problem(2000, 8, 4);
  const auto ols = fit(pr, {});
  RegressionOptions ridge;
  ridge.lambda = 10.0;
  const auto shrunk = fit(pr, ridge);
  RegressionOptions gcv;
  gcv.select_lambda_gcv = true;
  const auto chosen = fit(pr, gcv);
  ASSERT_THAT(ols, IsOk());
  ASSERT_THAT(shrunk, IsOk());
  ASSERT_THAT(chosen, IsOk());
  EXPECT_LT(shrunk->coefficients.norm(), 0.5 * ols->coefficients.norm());
  EXPECT_LT(chosen->lambda, 1e-2);
  EXPECT_LT(relative_error(chosen->coefficients, ols->coefficients), 1e-3);
}

TEST(Regression, RobustRefitTrimsSpikes) {
  auto pr = random_problem(2000, 6, 2);
  const auto clean = fit(pr, {});
  for (Eigen::Index t = 0; t < 2000; t += 97) pr.y(t, 0) += 40.0;
  const auto spiked = fit(pr, {});
  RegressionOptions robust;
  robust.robust_iterations = 2;
  const auto trimmed = fit(pr, robust);
  ASSERT_THAT(trimmed, IsOk());
  EXPECT_GE(trimmed->trimmed_rows[0], 21);
  EXPECT_LT((trimmed->coefficients.col(0) - clean->coefficients.col(0)).norm(),
            0.2 * (spiked->coefficients.col(0) - clean->coefficients.col(0)).norm());
}

TEST(Regression, RejectsBadShapes) {
  RegressionProblem pr = random_problem(50, 3, 2);
  pr.y.conservativeResize(40, 2);
  EXPECT_THAT(fit(pr, {}), HasError(ErrorCode::invalid_argument,
                                    HasSubstr("regressors have 50 rows but targets have 40")));
  RegressionProblem few = random_problem(3, 3, 1);
  EXPECT_THAT(fit(few, {}),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("more rows than regressors (3 rows, 3 regressors)")));
  RegressionOptions negative;
  negative.lambda = -1;
  EXPECT_THAT(fit(random_problem(50, 3, 1), negative),
              HasError(ErrorCode::invalid_argument, HasSubstr("lambda must be finite and >= 0")));
}

TEST(Regression, ReportsCollinearRegressorsAsNumerical) {
  RegressionProblem pr = random_problem(100, 3, 1);
  pr.x.col(2) = 2.0 * pr.x.col(1);
  EXPECT_THAT(fit(pr, {}),
              HasError(ErrorCode::numerical, HasSubstr("collinear or constant; smallest relative "
                                                       "pivot at regressor column")));
}

TEST(Regression, ReportsRegressorWithTooFewSamples) {
  RegressionProblem pr = random_problem(100, 3, 1);
  pr.x_mask = Matrix::Ones(100, 3);
  pr.x_mask.col(1).setZero();
  pr.x_mask(0, 1) = 1;
  pr.x.col(1).setZero();
  EXPECT_THAT(fit(pr, {}), HasError(ErrorCode::numerical,
                                    HasSubstr("too few samples for regressor column 1 (1.0")));
}

}  // namespace
}  // namespace gridke::services::sensitivities::solver
