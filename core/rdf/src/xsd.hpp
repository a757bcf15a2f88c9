#pragma once
// Private: the XSD datatypes GridKE knows, their lexical spaces (XML Schema 1.1 Part 2) and value
// comparison for Term::is_well_typed() and Term::same_value_as().
// Thread safety: stateless functions; call freely.

#include <cstdint>
#include <string_view>

namespace gridke::rdf::xsd {

/// The datatypes with a checked lexical space. Everything else is `other` (always well-typed,
/// compared by term equality).
enum class Type : std::uint8_t {
  other,
  string,  // and the string-derived types: any lexical form is valid
  boolean,
  decimal,
  integer,
  non_positive_integer,
  negative_integer,
  long_,
  int_,
  short_,
  byte,
  non_negative_integer,
  unsigned_long,
  unsigned_int,
  unsigned_short,
  unsigned_byte,
  positive_integer,
  float_,
  double_,
  date_time,
  date_time_stamp,
  date,
};

/// The value space a type compares in; same_value_as() only compares within one space.
enum class ValueSpace : std::uint8_t { none, boolean, number, date_time, date };

/// Classifies a datatype IRI; unknown IRIs give Type::other.
Type classify(std::string_view datatype_iri) noexcept;

ValueSpace value_space(Type type) noexcept;

/// True when `lexical` is in the lexical space of `type` (no surrounding white space allowed).
bool is_valid_lexical(Type type, std::string_view lexical) noexcept;

/// Value equality of two valid lexical forms of types in the same value space.
/// REQUIRES: both forms valid for their types and value_space(ta) == value_space(tb) != none.
/// Integers and decimals compare exactly (arbitrary precision); as soon as one side is a float or
/// double both sides compare as IEEE doubles (a float is rounded to float first). Date-times
/// with a time zone compare as instants; a date-time without one only equals another without one
/// at the same local time (XSD leaves mixed comparisons indeterminate, so they are unequal).
bool same_value(Type ta, std::string_view a, Type tb, std::string_view b) noexcept;

}  // namespace gridke::rdf::xsd
