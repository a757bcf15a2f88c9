#pragma once
// The Eigen types the grid solver uses, in one place (STYLE.md §2.6). Per-phase quantities are
// fixed-size 3-vectors / 3x3 matrices (phase order A, B, C); node states of a feeder are 3 x n
// column-major matrices, one column per bus.
// Thread safety: type aliases only.

#include <complex>

#include <Eigen/Core>

namespace gridke::services::grid::solver {

using Complex = std::complex<double>;
/// Phase vector (A, B, C) of voltages, currents or powers, per unit.
using Vector3c = Eigen::Matrix<Complex, 3, 1>;
/// 3x3 phase matrix (impedance, admittance, transformer connection), per unit.
using Matrix3c = Eigen::Matrix<Complex, 3, 3>;
/// One column per bus, rows = phases A, B, C.
using PhaseColumns = Eigen::Matrix<Complex, 3, Eigen::Dynamic>;
/// Dense real matrices (sensitivities).
using MatrixXd = Eigen::MatrixXd;
using VectorXd = Eigen::VectorXd;

}  // namespace gridke::services::grid::solver
