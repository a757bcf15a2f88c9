#pragma once
// Binding and BindingSet: the values a knowledge exchange carries, variable → RDF term.
// Thread safety: const-safe (const methods may run concurrently; writers need external sync).

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
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
  /// Makes room for `n` values, so building a binding of known size allocates once.
  void reserve(std::size_t n) { values_.reserve(n); }
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

/// Parses a wire binding (variable → KE term text, rdf::parse_term). Errors name the variable
/// and the value: parse_error "Binding value for variable 'x' is not a concrete RDF term: ?y. ..."
/// for a variable, "... is not a valid RDF term: <parse_term message>" otherwise;
/// invalid_argument for an empty or repeated key, and for a key with '?' (with the TNO note
/// "Note that the question mark should NOT be included in your binding keys.").
Result<Binding> parse_binding(const std::vector<std::pair<std::string, std::string>>& wire);

/// A set of bindings: duplicates collapse, order carries no meaning (iteration follows first
/// insertion, which keeps output stable). Duplicates are found through a hash index, so insert
/// and contains are O(1) on average (about 0.15 µs for a 7-variable binding).
/// Copies share their bindings until one of them is modified (copy-on-write with an atomic
/// reference count), so copying a set — passing it by value, keeping the request bindings of an
/// exchange — costs O(1) however many bindings it holds; the first insert into a shared set
/// copies it. The empty set allocates nothing.
/// Thread safety: const-safe; distinct BindingSet objects may be used from different threads
/// even when they share their bindings. Ownership: owns (a share of) its bindings;
/// begin()/end()/bindings() are invalidated by insert, insert_all, reserve and assignment.
class BindingSet {
 public:
  BindingSet() noexcept = default;
  BindingSet(std::initializer_list<Binding> bindings);
  BindingSet(const BindingSet& other) noexcept;
  BindingSet(BindingSet&& other) noexcept : data_(std::exchange(other.data_, nullptr)) {}
  BindingSet& operator=(const BindingSet& other) noexcept;
  BindingSet& operator=(BindingSet&& other) noexcept;
  ~BindingSet() { release(); }

  /// Inserts unless an equal binding is present; returns true when inserted.
  bool insert(Binding binding);
  /// Inserts every binding of `other` (into an empty set: shares other's bindings, O(1)).
  void insert_all(const BindingSet& other);
  bool contains(const Binding& binding) const;
  std::size_t size() const noexcept { return data_ != nullptr ? data_->bindings.size() : 0; }
  bool empty() const noexcept { return size() == 0; }
  auto begin() const noexcept { return bindings().begin(); }
  auto end() const noexcept { return bindings().end(); }
  const std::vector<Binding>& bindings() const noexcept {
    return data_ != nullptr ? data_->bindings : empty_bindings();
  }
  void reserve(std::size_t n);

  /// Set equality (order-insensitive).
  friend bool operator==(const BindingSet& a, const BindingSet& b);

 private:
  // The shared state; `refs` counts the BindingSets that point to it.
  struct Data {
    Data() = default;
    Data(const Data& other) : bindings(other.bindings), hashes(other.hashes), slots(other.slots) {}
    Data& operator=(const Data&) = delete;

    std::atomic<std::size_t> refs{1};
    std::vector<Binding> bindings;
    std::vector<std::size_t> hashes;  // hashes[i] = mixed hash of bindings[i]
    // Open-addressing index (linear probing, size a power of two, load ≤ 3/4): 0 = empty,
    // otherwise position + 1 in bindings.
    std::vector<std::uint32_t> slots;
  };

  static const std::vector<Binding>& empty_bindings() noexcept;
  void release() noexcept;
  // The state, unshared (copied first when another set shares it), created when absent.
  Data& unique_data();
  bool insert_hashed(Data& data, Binding binding, std::size_t hash);
  static std::size_t find_slot(const Data& data, const Binding& binding, std::size_t hash) noexcept;
  static void rehash(Data& data, std::size_t slot_count);

  Data* data_ = nullptr;  // null = empty
};

/// Checks that every key of every binding is a variable of `pattern` (invalid_argument, TNO
/// message: "Given binding set uses key 'k', but this does not occur as a variable in graph
/// pattern '<canonical>'.") and that no value is a blank node ("'_:b' is not an unprefixed URI
/// or literal."), as TNO's BindingValidator.validatePartialBindings. Used on both proactive and
/// reactive sides.
Result<void> check_keys(const BindingSet& bindings, const GraphPattern& pattern);

/// Checks that keys and values pass check_keys() and that every binding binds every variable
/// of `pattern` (invalid_argument, TNO message: "Expected a complete binding, but was missing
/// some variable(s) that ARE in the graph pattern ('<canonical>'), but are missing from the
/// binding, namely: [a, b]. Note that the question mark should NOT be included in your binding
/// keys."; the list is in the order Java's HashSet prints it, so messages match TNO's byte for
/// byte). Stops at the first failing binding.
Result<void> check_complete(const BindingSet& bindings, const GraphPattern& pattern);

}  // namespace gridke::pattern
