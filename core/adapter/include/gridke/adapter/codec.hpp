#pragma once
// Typed binding codecs: C++ values ↔ RDF terms, so SSA code never handles term strings
// (ARCHITECTURE.md "Bindings"). A codec has `value_type`, `decode(term)` and `encode(value)`;
// get()/put() apply one to a variable of a binding and name the KI, the variable and the
// value in every error.
// Thread safety: codecs are immutable value types, share freely.

#include <chrono>
#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>

#include "gridke/base/result.hpp"
#include "gridke/pattern/binding.hpp"
#include "gridke/rdf/term.hpp"
#include "gridke/rdf/vocabulary.hpp"

namespace gridke::adapter {

/// A codec for values of type `C::value_type`. decode() errors say what was expected and
/// quote the term; encode() errors quote the value. Both use ErrorCode::invalid_argument.
template <class C>
concept Codec = requires(const C& c, const rdf::Term& t, const typename C::value_type& v) {
  { c.decode(t) } -> std::same_as<Result<typename C::value_type>>;
  { c.encode(v) } -> std::same_as<Result<rdf::Term>>;
};

/// double ↔ numeric literal. Decodes xsd:double, xsd:float, xsd:decimal and xsd:integer
/// (with its derived types such as xsd:int, xsd:long); xsd:double/float also accept INF,
/// -INF and NaN. Encodes with `datatype` (xsd:double, xsd:float or xsd:decimal), in the
/// shortest text that reads back to the same double; NaN and infinities cannot be written
/// as xsd:decimal (error).
struct DoubleCodec {
  using value_type = double;
  std::string datatype = std::string(rdf::vocab::xsd_double);
  Result<double> decode(const rdf::Term& term) const;
  Result<rdf::Term> encode(double value) const;
};

/// int64 ↔ xsd:integer (decodes xsd:integer and its derived types, e.g. xsd:int,
/// xsd:nonNegativeInteger; a value outside int64 is an error). Encodes with `datatype`.
struct IntegerCodec {
  using value_type = std::int64_t;
  std::string datatype = std::string(rdf::vocab::xsd_integer);
  Result<std::int64_t> decode(const rdf::Term& term) const;
  Result<rdf::Term> encode(std::int64_t value) const;
};

/// bool ↔ xsd:boolean ("true"/"false"/"1"/"0" in; "true"/"false" out).
struct BoolCodec {
  using value_type = bool;
  Result<bool> decode(const rdf::Term& term) const;
  Result<rdf::Term> encode(bool value) const;
};

/// std::string ↔ string literal. Decodes xsd:string and language-tagged literals (the tag is
/// dropped). Encodes a simple literal, or a language-tagged one when `language` is set.
struct StringCodec {
  using value_type = std::string;
  std::string language;
  Result<std::string> decode(const rdf::Term& term) const;
  Result<rdf::Term> encode(const std::string& value) const;
};

/// Local id ↔ IRI under a base: with base "https://example.org/hems/", the id "meter-7" is
/// <https://example.org/hems/meter-7>. Decoding an IRI not under the base, or one that is
/// only the base, is an error; encoding an empty id or one with characters not allowed in an
/// IRI (space, <>"{}|\^`) is an error. An empty base accepts and produces any full IRI.
struct IriCodec {
  using value_type = std::string;
  std::string base;
  Result<std::string> decode(const rdf::Term& term) const;
  Result<rdf::Term> encode(const std::string& id) const;
};

/// A point in time ↔ xsd:dateTime. Decodes `YYYY-MM-DDThh:mm:ss[.fff...][Z|±hh:mm]` (also
/// xsd:dateTimeStamp), converting any offset to UTC; fractions beyond milliseconds are
/// truncated. A value without a time zone is taken as UTC unless `require_timezone` is set,
/// in which case it is an error. Encodes in UTC with millisecond precision:
/// "2026-11-27T08:37:14.123Z". Years 0001..9999.
struct DateTimeCodec {
  using value_type = std::chrono::system_clock::time_point;
  bool require_timezone = false;
  Result<value_type> decode(const rdf::Term& term) const;
  Result<rdf::Term> encode(value_type value) const;
};

/// Reads variable `var` of `binding` with `codec`. Errors (invalid_argument), located as
/// "KI <ki>, variable ?<var>" ("variable ?<var>" when ki is empty): the variable is unbound
/// ("not bound (bound: ?a, ?b)"), or the codec rejects its value (the message quotes it).
template <Codec C>
Result<typename C::value_type> get(const pattern::Binding& binding, std::string_view var,
                                   const C& codec, std::string_view ki = {});

/// Writes `value` with `codec` into variable `var` of `binding` (replacing an earlier
/// value). Errors as get(): the codec cannot encode the value.
template <Codec C>
Result<void> put(pattern::Binding& binding, std::string_view var,
                 const typename C::value_type& value, const C& codec, std::string_view ki = {});

namespace detail {
std::string variable_location(std::string_view ki, std::string_view var);
Error unbound_variable(const pattern::Binding& binding, std::string_view ki, std::string_view var);
}  // namespace detail

template <Codec C>
Result<typename C::value_type> get(const pattern::Binding& binding, std::string_view var,
                                   const C& codec, std::string_view ki) {
  const rdf::Term* term = binding.find(var);
  if (term == nullptr) return detail::unbound_variable(binding, ki, var);
  auto decoded = codec.decode(*term);
  if (!decoded) {
    return Error(decoded.error().code(), decoded.error().message(),
                 detail::variable_location(ki, var));
  }
  return decoded;
}

template <Codec C>
Result<void> put(pattern::Binding& binding, std::string_view var,
                 const typename C::value_type& value, const C& codec, std::string_view ki) {
  auto encoded = codec.encode(value);
  if (!encoded) {
    return Error(encoded.error().code(), encoded.error().message(),
                 detail::variable_location(ki, var));
  }
  binding.set(std::string(var), std::move(encoded).value());
  return ok();
}

}  // namespace gridke::adapter
