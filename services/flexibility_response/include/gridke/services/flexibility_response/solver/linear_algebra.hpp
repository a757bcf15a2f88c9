#pragma once
// The one place the flexibility-response service names Eigen types (STYLE.md §2.6).
// Thread safety: type aliases only.

#include <Eigen/Core>

namespace gridke::services::flexibility_response::solver {

using Matrix = Eigen::MatrixXd;  ///< column-major, dynamic
using Vector = Eigen::VectorXd;
using MatrixRef = Eigen::Ref<const Matrix>;
using VectorRef = Eigen::Ref<const Vector>;

}  // namespace gridke::services::flexibility_response::solver
