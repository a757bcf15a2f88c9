// Binding, BindingSet, parse_binding and the TNO binding checks (NOTES §1.4 POST /sc/handle,
// §2.3; messages as in TNO's BindingValidator.java).

#include "gridke/pattern/binding.hpp"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <utility>

namespace gridke::pattern {
namespace {

constexpr std::string_view question_mark_note =
    "Note that the question mark should NOT be included in your binding keys.";

std::size_t mix(std::size_t seed, std::size_t v) noexcept {
  return seed ^ (v + 0x9e3779b97f4a7c15ULL + (seed << 12) + (seed >> 4));
}

// MurmurHash3's 64-bit finaliser: spreads the combined hash over the low bits the index uses.
std::uint64_t fmix64(std::uint64_t k) noexcept {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

// A fast, inlined hash of a short string (variable names, IRIs, lexical forms): 8 bytes per
// multiply, overlapping loads for the tail, no call. Its quality suffices because
// BindingSet runs the combined hash through fmix64; std::hash (an out-of-line Murmur call per
// string) was a tenth of a 100-binding POST (docs/performance.md).
std::uint64_t binding_bytes_hash(std::string_view s) noexcept {
  constexpr std::uint64_t k = 0x9E3779B97F4A7C15ULL;
  const char* p = s.data();
  const std::size_t n = s.size();
  std::uint64_t h = (n + 1) * k;
  auto step = [&h](std::uint64_t word) {
    h = (h ^ word) * k;
    h ^= h >> 29;
  };
  auto load64 = [](const char* at) {
    std::uint64_t v;
    std::memcpy(&v, at, sizeof v);
    return v;
  };
  auto load32 = [](const char* at) {
    std::uint32_t v;
    std::memcpy(&v, at, sizeof v);
    return static_cast<std::uint64_t>(v);
  };
  if (n >= 8) {
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) step(load64(p + i));
    if (i < n) step(load64(p + n - 8));  // the tail, overlapping the last full word
  } else if (n >= 4) {
    step(load32(p) | (load32(p + n - 4) << 32));
  } else if (n > 0) {
    step(static_cast<std::uint64_t>(static_cast<unsigned char>(p[0])) |
         (static_cast<std::uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8) |
         (static_cast<std::uint64_t>(static_cast<unsigned char>(p[n - 1])) << 16));
  }
  return h;
}

// Variable names are short: an inlined byte loop beats a memcmp call per comparison. Orders as
// std::string does (bytes as unsigned char, then length).
bool binding_name_less(std::string_view a, std::string_view b) noexcept {
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]);
  }
  return a.size() < b.size();
}

bool binding_name_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

auto by_name(const std::pair<std::string, rdf::Term>& v, std::string_view name) {
  return binding_name_less(v.first, name);
}

// java.lang.String.hashCode over the UTF-16 code units of a UTF-8 string.
std::int32_t java_string_hash(std::string_view s) noexcept {
  std::uint32_t h = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    char32_t cp = b0;
    std::size_t len = 1;
    if (b0 >= 0xF0 && i + 3 < s.size()) {
      cp = ((b0 & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) |
           (s[i + 3] & 0x3Fu);
      len = 4;
    } else if (b0 >= 0xE0 && i + 2 < s.size()) {
      cp = ((b0 & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
      len = 3;
    } else if (b0 >= 0xC0 && i + 1 < s.size()) {
      cp = ((b0 & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu);
      len = 2;
    }
    if (cp >= 0x10000) {
      const char32_t v = cp - 0x10000;
      h = 31 * h + static_cast<std::uint32_t>(0xD800 + (v >> 10));
      h = 31 * h + static_cast<std::uint32_t>(0xDC00 + (v & 0x3FF));
    } else {
      h = 31 * h + static_cast<std::uint32_t>(cp);
    }
    i += len;
  }
  return static_cast<std::int32_t>(h);
}

std::size_t power_of_two_at_least(std::size_t n) noexcept {
  std::size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

// The order in which TNO prints its missing-variable set: `new HashSet<String>(variables)`,
// where `variables` came from Collectors.toSet() over the pattern's nodes in triple order
// (GraphPattern.getVariables). A java.util.HashSet iterates by bucket (hash ^ hash>>>16, masked
// by the table size), ties in insertion order; the first set has the default table (16,
// doubled while size > 3/4 of it), the copy max(size/.75 + 1, 16) rounded up to a power of two.
std::vector<std::string> java_hash_set_order(std::vector<std::string> first_seen) {
  const std::size_t n = first_seen.size();
  std::size_t first_table = 16;
  while (n > first_table * 3 / 4) first_table <<= 1;
  const std::size_t copy_table =
      power_of_two_at_least(std::max<std::size_t>(static_cast<std::size_t>(n / 0.75f) + 1, 16));
  auto bucket = [](const std::string& s, std::size_t table) {
    const auto h = static_cast<std::uint32_t>(java_string_hash(s));
    return (h ^ (h >> 16)) & (table - 1);
  };
  std::stable_sort(first_seen.begin(), first_seen.end(), [&](const auto& a, const auto& b) {
    return bucket(a, first_table) < bucket(b, first_table);
  });
  std::stable_sort(first_seen.begin(), first_seen.end(), [&](const auto& a, const auto& b) {
    return bucket(a, copy_table) < bucket(b, copy_table);
  });
  return first_seen;
}

// Pattern variables (not blank-node variables) in order of first occurrence, s-p-o per triple.
std::vector<std::string> variables_in_order(const GraphPattern& pattern) {
  std::vector<std::string> out;
  for (const TriplePattern& t : pattern.triples()) {
    for (const Node* node : {&t.subject, &t.predicate, &t.object}) {
      if (!node->is_variable() || node->is_blank_variable()) continue;
      if (std::find(out.begin(), out.end(), node->variable()) == out.end()) {
        out.push_back(node->variable());
      }
    }
  }
  return out;
}

// BindingValidator.validateValidBindingValue: values must be IRIs or literals.
Result<void> check_value(const rdf::Term& value) {
  if (value.is_blank()) {
    return invalid_argument("'" + value.to_string() + "' is not an unprefixed URI or literal.");
  }
  return ok();
}

Result<void> check_binding_keys(const Binding& binding, const GraphPattern& pattern,
                                std::string& canonical) {
  // Keys and pattern variables are both sorted: one merge walk instead of a search per key.
  const std::vector<std::string>& variables = pattern.variables();
  auto var = variables.begin();
  for (const auto& [key, value] : binding.values()) {
    GRIDKE_TRY(check_value(value));
    while (var != variables.end() && *var < key) ++var;
    if (var == variables.end() || *var != key) {
      if (canonical.empty()) canonical = pattern.canonical();
      return invalid_argument("Given binding set uses key '" + key +
                              "', but this does not occur as a variable in graph pattern '" +
                              canonical + "'.");
    }
  }
  return ok();
}

}  // namespace

// ---- Binding -----------------------------------------------------------------------------------

Binding::Binding(std::initializer_list<std::pair<std::string, rdf::Term>> values) {
  values_.reserve(values.size());
  for (const auto& [name, term] : values) set(name, term);
}

void Binding::set(std::string name, rdf::Term value) {
  assert(!name.empty() && name.find('?') == std::string::npos);
  if (values_.empty() || binding_name_less(values_.back().first, name)) {
    values_.emplace_back(std::move(name), std::move(value));
    return;
  }
  auto it = std::lower_bound(values_.begin(), values_.end(), std::string_view(name), by_name);
  if (it != values_.end() && binding_name_equal(it->first, name)) {
    it->second = std::move(value);
  } else {
    values_.emplace(it, std::move(name), std::move(value));
  }
}

const rdf::Term* Binding::find(std::string_view name) const {
  auto it = std::lower_bound(values_.begin(), values_.end(), name, by_name);
  if (it == values_.end() || !binding_name_equal(it->first, name)) return nullptr;
  return &it->second;
}

bool Binding::is_compatible_with(const Binding& other) const {
  auto a = values_.begin();
  auto b = other.values_.begin();
  while (a != values_.end() && b != other.values_.end()) {
    const int c = a->first.compare(b->first);
    if (c < 0) {
      ++a;
    } else if (c > 0) {
      ++b;
    } else {
      if (!a->second.same_value_as(b->second)) return false;
      ++a;
      ++b;
    }
  }
  return true;
}

Binding Binding::project(const std::vector<std::string>& names) const {
  Binding out;
  out.values_.reserve(std::min(names.size(), values_.size()));
  for (const auto& v : values_) {
    if (std::find(names.begin(), names.end(), v.first) != names.end()) out.values_.push_back(v);
  }
  return out;
}

std::size_t Binding::hash() const noexcept {
  // Consistent with ==: hashes the name and the term's value in full, and the datatype and
  // language only by length and last byte. Terms of one variable seldom differ in datatype
  // alone, and hashing each long XSD IRI would cost more than the whole rest (bench).
  std::size_t seed = values_.size();
  for (const auto& [name, term] : values_) {
    seed = mix(seed, binding_bytes_hash(name));
    seed = mix(seed, binding_bytes_hash(term.value()));
    const std::string& dt = term.datatype();
    const std::string& lang = term.language();
    std::size_t tag =
        static_cast<std::size_t>(term.kind()) | (dt.size() << 2) | (lang.size() << 20);
    if (!dt.empty()) tag ^= static_cast<std::size_t>(static_cast<unsigned char>(dt.back())) << 32;
    if (!lang.empty())
      tag ^= static_cast<std::size_t>(static_cast<unsigned char>(lang.back())) << 40;
    seed = mix(seed, tag);
  }
  return seed;
}

Result<Binding> parse_binding(const std::vector<std::pair<std::string, std::string>>& wire) {
  Binding binding;
  for (const auto& [key, text] : wire) {
    if (key.empty()) {
      return invalid_argument("Binding key must be a non-empty variable name (value " + text + ")");
    }
    if (key.find('?') != std::string::npos) {
      return invalid_argument("Binding key '" + key +
                              "' is not a variable name: " + std::string(question_mark_note));
    }
    if (binding.contains(key)) {
      return invalid_argument("Binding has more than one value for variable '" + key + "'");
    }
    Result<rdf::Term> term = rdf::parse_term(text);
    if (!term) {
      const std::size_t first = text.find_first_not_of(" \t\r\n");
      if (first != std::string::npos && (text[first] == '?' || text[first] == '$')) {
        return parse_error("Binding value for variable '" + key +
                           "' is not a concrete RDF term: " + text +
                           ". Binding values should be concrete nodes (either RDF literals or "
                           "RDF URIs).");
      }
      return parse_error("Binding value for variable '" + key +
                         "' is not a valid RDF term: " + term.error().message());
    }
    binding.set(key, std::move(term).value());
  }
  return binding;
}

// ---- BindingSet --------------------------------------------------------------------------------

BindingSet::BindingSet(std::initializer_list<Binding> bindings) {
  reserve(bindings.size());
  for (const Binding& b : bindings) insert(b);
}

BindingSet::BindingSet(const BindingSet& other) noexcept : data_(other.data_) {
  if (data_ != nullptr) data_->refs.fetch_add(1, std::memory_order_relaxed);
}

BindingSet& BindingSet::operator=(const BindingSet& other) noexcept {
  if (data_ == other.data_) return *this;
  if (other.data_ != nullptr) other.data_->refs.fetch_add(1, std::memory_order_relaxed);
  release();
  data_ = other.data_;
  return *this;
}

BindingSet& BindingSet::operator=(BindingSet&& other) noexcept {
  if (this == &other) return *this;
  release();
  data_ = std::exchange(other.data_, nullptr);
  return *this;
}

const std::vector<Binding>& BindingSet::empty_bindings() noexcept {
  static const std::vector<Binding> none;
  return none;
}

void BindingSet::release() noexcept {
  // acq_rel: the last owner's delete sees every other owner's reads done (as shared_ptr).
  if (data_ != nullptr && data_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete data_;
  data_ = nullptr;
}

BindingSet::Data& BindingSet::unique_data() {
  if (data_ == nullptr) {
    data_ = new Data();
  } else if (data_->refs.load(std::memory_order_acquire) != 1) {
    // Acquire: pairs with the release of a sharer that let go, so once the count reads 1 its
    // earlier reads are over and the state may be written in place.
    Data* copy = new Data(*data_);
    release();
    data_ = copy;
  }
  return *data_;
}

void BindingSet::reserve(std::size_t n) {
  if (n == 0) return;
  Data& d = unique_data();
  d.bindings.reserve(n);
  d.hashes.reserve(n);
  if (n * 4 > d.slots.size() * 3) rehash(d, power_of_two_at_least(n * 4 / 3 + 1));
}

void BindingSet::rehash(Data& d, std::size_t slot_count) {
  slot_count = std::max<std::size_t>(slot_count, 16);
  d.slots.assign(slot_count, 0);
  const std::size_t mask = slot_count - 1;
  for (std::size_t pos = 0; pos < d.bindings.size(); ++pos) {
    std::size_t i = d.hashes[pos] & mask;
    while (d.slots[i] != 0) i = (i + 1) & mask;
    d.slots[i] = static_cast<std::uint32_t>(pos + 1);
  }
}

std::size_t BindingSet::find_slot(const Data& d, const Binding& binding,
                                  std::size_t hash) noexcept {
  const std::size_t mask = d.slots.size() - 1;
  std::size_t i = hash & mask;
  while (d.slots[i] != 0) {
    const std::size_t pos = d.slots[i] - 1;
    if (d.hashes[pos] == hash && d.bindings[pos] == binding) return i;
    i = (i + 1) & mask;
  }
  return i;
}

bool BindingSet::insert_hashed(Data& d, Binding binding, std::size_t hash) {
  if ((d.bindings.size() + 1) * 4 > d.slots.size() * 3)
    rehash(d, std::max<std::size_t>(d.slots.size() * 2, 16));
  const std::size_t slot = find_slot(d, binding, hash);
  if (d.slots[slot] != 0) return false;
  d.slots[slot] = static_cast<std::uint32_t>(d.bindings.size() + 1);
  d.bindings.push_back(std::move(binding));
  d.hashes.push_back(hash);
  return true;
}

bool BindingSet::insert(Binding binding) {
  const std::size_t hash = fmix64(binding.hash());
  return insert_hashed(unique_data(), std::move(binding), hash);
}

void BindingSet::insert_all(const BindingSet& other) {
  if (this == &other || other.empty()) return;
  if (empty()) {
    *this = other;  // the union is `other` itself: share it
    return;
  }
  reserve(size() + other.size());
  Data& d = unique_data();
  const Data& o = *other.data_;
  for (std::size_t i = 0; i < o.bindings.size(); ++i) {
    insert_hashed(d, o.bindings[i], o.hashes[i]);
  }
}

bool BindingSet::contains(const Binding& binding) const {
  if (data_ == nullptr || data_->slots.empty()) return false;
  return data_->slots[find_slot(*data_, binding, fmix64(binding.hash()))] != 0;
}

bool operator==(const BindingSet& a, const BindingSet& b) {
  if (a.size() != b.size()) return false;
  if (a.data_ == b.data_ || a.empty()) return true;
  const BindingSet::Data& ad = *a.data_;
  const BindingSet::Data& bd = *b.data_;
  for (std::size_t i = 0; i < ad.bindings.size(); ++i) {
    if (bd.slots[BindingSet::find_slot(bd, ad.bindings[i], ad.hashes[i])] == 0) return false;
  }
  return true;
}

// ---- Checks ------------------------------------------------------------------------------------

Result<void> check_keys(const BindingSet& bindings, const GraphPattern& pattern) {
  std::string canonical;  // built only for a message
  for (const Binding& b : bindings) GRIDKE_TRY(check_binding_keys(b, pattern, canonical));
  return ok();
}

Result<void> check_complete(const BindingSet& bindings, const GraphPattern& pattern) {
  std::string canonical;
  const std::size_t variable_count = pattern.variables().size();
  for (const Binding& b : bindings) {
    GRIDKE_TRY(check_binding_keys(b, pattern, canonical));
    // Every key is a distinct pattern variable now, so equal counts mean complete.
    if (b.size() == variable_count) continue;
    std::vector<std::string> missing;
    for (const std::string& v : java_hash_set_order(variables_in_order(pattern))) {
      if (!b.contains(v)) missing.push_back(v);
    }
    std::string list = "[";
    for (std::size_t i = 0; i < missing.size(); ++i) {
      if (i > 0) list.append(", ");
      list.append(missing[i]);
    }
    list.push_back(']');
    if (canonical.empty()) canonical = pattern.canonical();
    return invalid_argument(
        "Expected a complete binding, but was missing some variable(s) that ARE in the graph "
        "pattern ('" +
        canonical + "'), but are missing from the binding, namely: " + list + ". " +
        std::string(question_mark_note));
  }
  return ok();
}

}  // namespace gridke::pattern
