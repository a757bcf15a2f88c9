#include "gridke/adapter/codec.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>
#include <system_error>

namespace gridke::adapter {
namespace {

using rdf::Term;
namespace vocab = rdf::vocab;

const std::string xsd(vocab::xsd);

// xsd:integer and the types XSD derives from it (XML Schema 1.1 Part 2, §3.4.13–3.4.25).
bool is_integer_type(const std::string& dt) {
  static const std::set<std::string> types = {
      xsd + "integer",
      xsd + "nonPositiveInteger",
      xsd + "negativeInteger",
      xsd + "long",
      xsd + "int",
      xsd + "short",
      xsd + "byte",
      xsd + "nonNegativeInteger",
      xsd + "unsignedLong",
      xsd + "unsignedInt",
      xsd + "unsignedShort",
      xsd + "unsignedByte",
      xsd + "positiveInteger",
  };
  return types.contains(dt);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// [+-]?digits
bool is_integer_lexical(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  return all_digits(s);
}

// [+-]?(digits(.digits?)?|.digits)
bool is_decimal_lexical(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  auto dot = s.find('.');
  if (dot == std::string_view::npos) return all_digits(s);
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = s.substr(dot + 1);
  if (whole.empty() && frac.empty()) return false;
  return (whole.empty() || all_digits(whole)) && (frac.empty() || all_digits(frac));
}

// decimal([eE][+-]?digits)?; INF, -INF, +INF and NaN are handled by the caller.
bool is_double_lexical(std::string_view s) {
  auto e = s.find_first_of("eE");
  if (e == std::string_view::npos) return is_decimal_lexical(s);
  return is_decimal_lexical(s.substr(0, e)) && is_integer_lexical(s.substr(e + 1));
}

Error bad_value(std::string_view expected, const Term& term) {
  return invalid_argument("expected " + std::string(expected) + ", got " + term.to_string());
}

template <class T>
Result<T> parse_number(std::string_view text, const Term& term, std::string_view expected) {
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) {
    return invalid_argument("value " + term.to_string() + " is out of range for " +
                            std::string(expected));
  }
  if (ec != std::errc() || end != text.data() + text.size()) return bad_value(expected, term);
  return value;
}

std::string shortest(double v, std::chars_format fmt) {
  std::array<char, 512> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v, fmt);
  return ec == std::errc() ? std::string(buf.data(), end) : std::string();
}

constexpr std::string_view number_expected =
    "a number (xsd:double, xsd:float, xsd:decimal or xsd:integer)";

}  // namespace

Result<double> DoubleCodec::decode(const Term& term) const {
  if (!term.is_literal()) return bad_value(number_expected, term);
  const std::string& dt = term.datatype();
  std::string_view lex = trim(term.value());
  const bool floating = dt == vocab::xsd_double || dt == vocab::xsd_float;
  if (floating) {
    if (lex == "INF" || lex == "+INF") return HUGE_VAL;
    if (lex == "-INF") return -HUGE_VAL;
    if (lex == "NaN") return std::nan("");
  }
  bool lexical_ok = floating                   ? is_double_lexical(lex)
                    : dt == vocab::xsd_decimal ? is_decimal_lexical(lex)
                    : is_integer_type(dt)      ? is_integer_lexical(lex)
                                               : false;
  if (!lexical_ok) return bad_value(number_expected, term);
  return parse_number<double>(lex, term, "a double");
}

Result<Term> DoubleCodec::encode(double value) const {
  if (datatype == vocab::xsd_double || datatype == vocab::xsd_float) {
    if (std::isnan(value)) return Term::literal("NaN", datatype);
    if (std::isinf(value)) return Term::literal(value > 0 ? "INF" : "-INF", datatype);
    if (datatype == vocab::xsd_float) {
      std::array<char, 64> buf{};
      auto [end, ec] =
          std::to_chars(buf.data(), buf.data() + buf.size(), static_cast<float>(value));
      if (ec != std::errc())
        return internal_error("cannot format float " + shortest(value, std::chars_format::general));
      return Term::literal(std::string(buf.data(), end), datatype);
    }
    return Term::literal(shortest(value, std::chars_format::general), datatype);
  }
  if (datatype == vocab::xsd_decimal) {
    if (!std::isfinite(value)) {
      return invalid_argument("cannot write " + shortest(value, std::chars_format::general) +
                              " as xsd:decimal (only finite numbers)");
    }
    return Term::literal(shortest(value, std::chars_format::fixed), datatype);
  }
  return invalid_argument(
      "DoubleCodec datatype must be xsd:double, xsd:float or xsd:decimal, "
      "not <" +
      datatype + ">");
}

Result<std::int64_t> IntegerCodec::decode(const Term& term) const {
  constexpr std::string_view expected = "an integer (xsd:integer or a type derived from it)";
  if (!term.is_literal() || !is_integer_type(term.datatype())) return bad_value(expected, term);
  std::string_view lex = trim(term.value());
  if (!is_integer_lexical(lex)) return bad_value(expected, term);
  return parse_number<std::int64_t>(lex, term, "a 64-bit integer");
}

Result<Term> IntegerCodec::encode(std::int64_t value) const {
  if (!is_integer_type(datatype)) {
    return invalid_argument(
        "IntegerCodec datatype must be xsd:integer or a type derived from "
        "it, not <" +
        datatype + ">");
  }
  return Term::literal(std::to_string(value), datatype);
}

Result<bool> BoolCodec::decode(const Term& term) const {
  constexpr std::string_view expected = "a boolean (xsd:boolean true, false, 1 or 0)";
  if (!term.is_literal() || term.datatype() != vocab::xsd_boolean) {
    return bad_value(expected, term);
  }
  std::string_view lex = trim(term.value());
  if (lex == "true" || lex == "1") return true;
  if (lex == "false" || lex == "0") return false;
  return bad_value(expected, term);
}

Result<Term> BoolCodec::encode(bool value) const {
  return Term::literal(value ? "true" : "false", std::string(vocab::xsd_boolean));
}

Result<std::string> StringCodec::decode(const Term& term) const {
  if (term.is_literal() &&
      (term.datatype() == vocab::xsd_string || term.datatype() == vocab::rdf_lang_string)) {
    return term.value();
  }
  return bad_value("a string literal (xsd:string or language-tagged)", term);
}

Result<Term> StringCodec::encode(const std::string& value) const {
  if (!language.empty()) return Term::literal(value, {}, language);
  return Term::literal(value);
}

Result<std::string> IriCodec::decode(const Term& term) const {
  if (!term.is_iri()) {
    return bad_value(base.empty() ? std::string("an IRI") : "an IRI under <" + base + ">", term);
  }
  if (base.empty()) return term.value();
  if (term.value().size() <= base.size() || term.value().compare(0, base.size(), base) != 0) {
    return invalid_argument("expected an IRI under <" + base + ">, got " + term.to_string());
  }
  return term.value().substr(base.size());
}

Result<Term> IriCodec::encode(const std::string& id) const {
  if (id.empty()) return invalid_argument("cannot make an IRI from an empty id");
  for (char c : id) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || c == '<' || c == '>' || c == '"' || c == '{' || c == '}' || c == '|' ||
        c == '\\' || c == '^' || c == '`') {
      return invalid_argument("id \"" + id + "\" contains a character not allowed in an IRI" +
                              (base.empty() ? std::string() : " (base <" + base + ">)"));
    }
  }
  return Term::iri(base + id);
}

namespace {

// Reads exactly n digits at s[pos] into out; advances pos.
bool read_digits(std::string_view s, std::size_t& pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  pos += n;
  return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

Result<DateTimeCodec::value_type> DateTimeCodec::decode(const Term& term) const {
  using namespace std::chrono;
  constexpr std::string_view expected = "an xsd:dateTime like \"2026-11-27T08:37:14Z\"";
  const std::string date_time_stamp = xsd + "dateTimeStamp";
  if (!term.is_literal() ||
      (term.datatype() != vocab::xsd_date_time && term.datatype() != date_time_stamp)) {
    return bad_value(expected, term);
  }
  std::string_view s = trim(term.value());
  std::size_t pos = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!read_digits(s, pos, 4, y) || !expect(s, pos, '-') || !read_digits(s, pos, 2, mo) ||
      !expect(s, pos, '-') || !read_digits(s, pos, 2, d) || !expect(s, pos, 'T') ||
      !read_digits(s, pos, 2, h) || !expect(s, pos, ':') || !read_digits(s, pos, 2, mi) ||
      !expect(s, pos, ':') || !read_digits(s, pos, 2, sec)) {
    return bad_value(expected, term);
  }
  milliseconds fraction{0};
  bool fraction_zero = true;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    int ms = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (pos - start < 3) ms = ms * 10 + (s[pos] - '0');
      if (s[pos] != '0') fraction_zero = false;
      ++pos;
    }
    if (pos == start) return bad_value(expected, term);
    for (std::size_t k = pos - start; k < 3; ++k) ms *= 10;
    fraction = milliseconds{ms};
  }
  minutes offset{0};
  if (pos == s.size()) {
    if (require_timezone) {
      return invalid_argument("dateTime " + term.to_string() +
                              " has no time zone; add Z or an offset such as +01:00");
    }
  } else if (s[pos] == 'Z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = 0, om = 0;
    if (!read_digits(s, pos, 2, oh) || !expect(s, pos, ':') || !read_digits(s, pos, 2, om) ||
        oh > 14 || om > 59 || (oh == 14 && om != 0)) {
      return bad_value(expected, term);
    }
    offset = minutes{sign * (oh * 60 + om)};
  }
  if (pos != s.size()) return bad_value(expected, term);
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  // 24:00:00 is the first instant of the next day (XSD 1.1 §3.3.7).
  bool end_of_day = h == 24 && mi == 0 && sec == 0 && fraction_zero;
  if (y < 1 || !ymd.ok() || (h > 23 && !end_of_day) || mi > 59 || sec > 59) {
    return invalid_argument("dateTime " + term.to_string() +
                            " is not a valid date and time (year 0001-9999, month 01-12, a day "
                            "of that month, hour 00-23, minute and second 00-59)");
  }
  auto tp = sys_days{ymd} + hours{h} + minutes{mi} + seconds{sec} + fraction - offset;
  return time_point_cast<system_clock::duration>(tp);
}

Result<rdf::Term> DateTimeCodec::encode(value_type value) const {
  using namespace std::chrono;
  auto ms = floor<milliseconds>(value);
  auto day_point = floor<days>(ms);
  year_month_day ymd{day_point};
  if (ymd.year() < year{1} || ymd.year() > year{9999}) {
    return invalid_argument(
        "time point outside the years 0001-9999 cannot be written as "
        "xsd:dateTime");
  }
  hh_mm_ss<milliseconds> tod{ms - day_point};
  std::array<char, 40> buf{};
  std::snprintf(buf.data(), buf.size(), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(tod.hours().count()),
                static_cast<int>(tod.minutes().count()), static_cast<int>(tod.seconds().count()),
                static_cast<int>(tod.subseconds().count()));
  return Term::literal(buf.data(), std::string(vocab::xsd_date_time));
}

namespace detail {

std::string variable_location(std::string_view ki, std::string_view var) {
  std::string out;
  if (!ki.empty()) out = "KI " + std::string(ki) + ", ";
  return out + "variable ?" + std::string(var);
}

Error unbound_variable(const pattern::Binding& binding, std::string_view ki, std::string_view var) {
  std::string bound;
  for (const auto& [name, term] : binding.values()) bound += (bound.empty() ? "?" : ", ?") + name;
  return invalid_argument("variable ?" + std::string(var) +
                              " is not bound (bound: " + (bound.empty() ? "none" : bound) + ")",
                          variable_location(ki, var));
}

}  // namespace detail

}  // namespace gridke::adapter
