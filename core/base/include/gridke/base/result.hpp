#pragma once
// Result<T>: a value of type T or an Error (STYLE.md §2.3). Member names follow std::expected so
// that a later move to std::expected<T, Error> (C++23) is mechanical.
// Thread safety: like T; const methods may run concurrently.

#include <cassert>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "gridke/base/error.hpp"

namespace gridke {

/// Either a T or an Error. Returned values must not be ignored. value() on an error is a bug
/// (asserts in debug builds).
template <class T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result(const T& value) : state_(std::in_place_index<0>, value) {}  // NOLINT(implicit)
  Result(T&& value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(implicit)
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(implicit)
  template <class U>
    requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, T> &&
             !std::is_same_v<std::decay_t<U>, Error> && !std::is_same_v<std::decay_t<U>, Result>)
  Result(U&& value) : state_(std::in_place_index<0>, T(std::forward<U>(value))) {}  // NOLINT

  bool has_value() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  /// REQUIRES: has_value().
  T& value() & {
    assert(has_value());
    return *std::get_if<0>(&state_);
  }
  const T& value() const& {
    assert(has_value());
    return *std::get_if<0>(&state_);
  }
  T&& value() && {
    assert(has_value());
    return std::move(*std::get_if<0>(&state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  /// REQUIRES: !has_value().
  const Error& error() const& {
    assert(!has_value());
    return *std::get_if<1>(&state_);
  }
  Error&& error() && {
    assert(!has_value());
    return std::move(*std::get_if<1>(&state_));
  }

  template <class U>
  T value_or(U&& fallback) const& {
    return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<T, Error> state_;
};

/// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  using value_type = void;
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT(implicit)

  bool has_value() const noexcept { return !error_.has_value(); }
  explicit operator bool() const noexcept { return has_value(); }
  void value() const { assert(has_value()); }
  /// REQUIRES: !has_value().
  const Error& error() const& {
    assert(!has_value());
    return *error_;
  }
  Error&& error() && {
    assert(!has_value());
    return std::move(*error_);
  }

 private:
  std::optional<Error> error_;
};

/// Success for Result<void>: `return ok();`.
inline Result<void> ok() { return {}; }

}  // namespace gridke

#define GRIDKE_CONCAT_INNER_(a, b) a##b
#define GRIDKE_CONCAT_(a, b) GRIDKE_CONCAT_INNER_(a, b)

/// Evaluates a Result-returning expression and returns its error from the enclosing function.
#define GRIDKE_TRY(expr)                                       \
  do {                                                         \
    auto&& gridke_try_result_ = (expr);                        \
    if (!gridke_try_result_.has_value()) {                     \
      return std::move(gridke_try_result_).error();            \
    }                                                          \
  } while (false)

/// `GRIDKE_ASSIGN_OR_RETURN(auto x, parse(...));` declares/assigns x or returns the error.
#define GRIDKE_ASSIGN_OR_RETURN(lhs, expr) \
  GRIDKE_ASSIGN_OR_RETURN_IMPL_(GRIDKE_CONCAT_(gridke_result_, __LINE__), lhs, expr)
#define GRIDKE_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.has_value()) {                             \
    return std::move(tmp).error();                    \
  }                                                   \
  lhs = std::move(tmp).value()
