#pragma once
// The one place the Sensitivities Engine names Eigen types (STYLE.md §2.6).
// Thread safety: type aliases only.

#include <Eigen/Core>

namespace gridke::services::sensitivities::solver {

using Matrix = Eigen::MatrixXd;  ///< column-major, dynamic
using Vector = Eigen::VectorXd;
using IndexVector = Eigen::VectorXi;
using MatrixRef = Eigen::Ref<const Matrix>;
using VectorRef = Eigen::Ref<const Vector>;

}  // namespace gridke::services::sensitivities::solver
