#pragma once
// Binding and BindingSet: the values a knowledge exchange carries, variable → RDF term.
// Thread safety: const-safe (const methods may run concurrently; writers need external sync).

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/pattern/graph_pattern.hpp"
#include "gridke/rdf/term.hpp"

namespace gridke::pattern {

/// One solution: variable names (without '?') to concrete terms. Kept sorted by name, so
/// equal bindings compare and hash equal whatever the insertion order.
class Binding {
 public:
  Binding() = default;
  Binding(std::initializer_list<std::pair<std::string, rdf::Term>> values);

  /// Sets a value (replacing an earlier one). REQUIRES: name is non-empty and has no '?'.
  void set(std::string name, rdf::Term value);
  /// The value, or nullptr when the variable is unbound. Valid until the next set().
  const rdf::Term* find(std::string_view name) const;
  bool contains(std::string_view name) const { return find(name) != nullptr; }
  std::size_t size() const noexcept { return values_.size(); }
  bool empty() const noexcept { return values_.empty(); }
  /// Sorted by name.
  const std::vector<std::pair<std::string, rdf::Term>>& values() const noexcept { return values_; }

  /// True when every variable both bindings share has the same value (sameValueAs).
  bool is_compatible_with(const Binding& other) const;
  /// Keeps only the named variables.
  Binding project(const std::vector<std::string>& names) const;

  std::size_t hash() const noexcept;
  friend bool operator==(const Binding&, const Binding&) = default;

 private:
  std::vector<std::pair<std::string, rdf::Term>> values_;
};

/// Parses a wire binding (variable → KE term text). Errors name the variable and the value,
/// e.g. "Binding value for variable 'x' is not a concrete RDF term: ?y". A key starting with '?'
/// is rejected with the TNO note "the question mark should NOT be included in your binding keys".
Result<Binding> parse_binding(const std::vector<std::pair<std::string, std::string>>& wire);

/// A set of bindings: duplicates collapse, order carries no meaning (iteration follows first
/// insertion, which keeps output stable).
class BindingSet {
 public:
  BindingSet() = default;
  BindingSet(std::initializer_list<Binding> bindings);

  /// Inserts unless an equal binding is present; returns true when inserted.
  bool insert(Binding binding);
  void insert_all(const BindingSet& other);
  bool contains(const Binding& binding) const;
  std::size_t size() const noexcept { return bindings_.size(); }
  bool empty() const noexcept { return bindings_.empty(); }
  auto begin() const noexcept { return bindings_.begin(); }
  auto end() const noexcept { return bindings_.end(); }
  const std::vector<Binding>& bindings() const noexcept { return bindings_; }
  void reserve(std::size_t n);

  /// Set equality (order-insensitive).
  friend bool operator==(const BindingSet& a, const BindingSet& b);

 private:
  std::vector<Binding> bindings_;
  std::multimap<std::size_t, std::size_t> index_;  // hash → position in bindings_
};

/// Checks that every key of every binding is a variable of `pattern` (TNO message:
/// "Given binding set uses key 'k', but this does not occur as a variable in graph pattern
/// '<canonical>'"). Used on both proactive and reactive sides.
Result<void> check_keys(const BindingSet& bindings, const GraphPattern& pattern);

/// Checks that every binding binds every variable of `pattern` (TNO message: "Expected a
/// complete binding, but was missing some variable(s) ... Note that the question mark should
/// NOT be included in your binding keys.") and that keys are pattern variables.
Result<void> check_complete(const BindingSet& bindings, const GraphPattern& pattern);

}  // namespace gridke::pattern
