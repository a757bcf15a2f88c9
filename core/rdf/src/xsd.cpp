#include "xsd.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

namespace gridke::rdf::xsd {
namespace {

constexpr std::string_view xsd_namespace = "http://www.w3.org/2001/XMLSchema#";

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// A decimal number in canonical pieces: no leading zeros in `integer`, no trailing zeros in
// `fraction`, and zero is never negative, so two values are equal iff the pieces are equal.
struct Decimal {
  bool negative = false;
  std::string_view integer;
  std::string_view fraction;
  friend bool operator==(const Decimal&, const Decimal&) = default;
};

Decimal canonical(bool negative, std::string_view integer, std::string_view fraction) noexcept {
  while (!integer.empty() && integer.front() == '0') integer.remove_prefix(1);
  while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
  if (integer.empty() && fraction.empty()) negative = false;
  return {negative, integer, fraction};
}

// xsd:integer lexical space: [+-]?[0-9]+
std::optional<Decimal> parse_integer(std::string_view s) noexcept {
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
  }
  return canonical(negative, s, {});
}

// xsd:decimal lexical space: [+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)
std::optional<Decimal> parse_decimal(std::string_view s) noexcept {
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  std::size_t i = 0;
  while (i < s.size() && is_digit(s[i])) ++i;
  std::string_view integer = s.substr(0, i);
  std::string_view fraction;
  if (i < s.size()) {
    if (s[i] != '.') return std::nullopt;
    std::size_t j = i + 1;
    while (j < s.size() && is_digit(s[j])) ++j;
    if (j != s.size()) return std::nullopt;
    fraction = s.substr(i + 1);
  }
  if (integer.empty() && fraction.empty()) return std::nullopt;
  return canonical(negative, integer, fraction);
}

// Compares magnitudes of canonical integer digit strings.
int compare_magnitude(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
}

// Inclusive bounds of the bounded integer types; an empty string means unbounded. Values from
// XML Schema 1.1 Part 2 §3.4.
struct IntegerRange {
  bool min_negative;
  std::string_view min;  // magnitude of the lower bound
  bool max_negative;
  std::string_view max;  // magnitude of the upper bound
  bool has_min;
  bool has_max;
};

std::optional<IntegerRange> range_of(Type t) noexcept {
  switch (t) {
    case Type::non_positive_integer: return IntegerRange{false, "", false, "", false, true};
    case Type::negative_integer: return IntegerRange{false, "", true, "1", false, true};
    case Type::long_:
      return IntegerRange{true, "9223372036854775808", false, "9223372036854775807", true, true};
    case Type::int_: return IntegerRange{true, "2147483648", false, "2147483647", true, true};
    case Type::short_: return IntegerRange{true, "32768", false, "32767", true, true};
    case Type::byte: return IntegerRange{true, "128", false, "127", true, true};
    case Type::non_negative_integer: return IntegerRange{false, "", false, "", true, false};
    case Type::unsigned_long:
      return IntegerRange{false, "", false, "18446744073709551615", true, true};
    case Type::unsigned_int: return IntegerRange{false, "", false, "4294967295", true, true};
    case Type::unsigned_short: return IntegerRange{false, "", false, "65535", true, true};
    case Type::unsigned_byte: return IntegerRange{false, "", false, "255", true, true};
    case Type::positive_integer: return IntegerRange{false, "1", false, "", true, false};
    default: return std::nullopt;
  }
}

// Signed comparison of a canonical integer with a bound (negative flag + magnitude).
int compare_signed(const Decimal& v, bool bound_negative, std::string_view bound) noexcept {
  if (bound.empty()) bound_negative = false;  // zero
  if (v.negative != bound_negative) return v.negative ? -1 : 1;
  int m = compare_magnitude(v.integer, bound);
  return v.negative ? -m : m;
}

bool in_range(Type t, const Decimal& v) noexcept {
  auto r = range_of(t);
  if (!r) return true;
  if (r->has_min && compare_signed(v, r->min_negative, r->min) < 0) return false;
  if (r->has_max && compare_signed(v, r->max_negative, r->max) > 0) return false;
  return true;
}

bool is_integer_type(Type t) noexcept { return t >= Type::integer && t <= Type::positive_integer; }

// xsd:double / xsd:float lexical space: a decimal mantissa with an optional exponent, or
// INF, +INF, -INF, NaN.
bool is_valid_floating(std::string_view s) noexcept {
  if (s == "INF" || s == "+INF" || s == "-INF" || s == "NaN") return true;
  std::size_t e = s.find_first_of("eE");
  if (e == std::string_view::npos) return parse_decimal(s).has_value();
  if (!parse_decimal(s.substr(0, e))) return false;
  std::string_view exp = s.substr(e + 1);
  if (!exp.empty() && (exp.front() == '+' || exp.front() == '-')) exp.remove_prefix(1);
  if (exp.empty()) return false;
  for (char c : exp) {
    if (!is_digit(c)) return false;
  }
  return true;
}

// REQUIRES: is_valid_floating(s) or a valid integer/decimal lexical form.
double floating_value(std::string_view s, bool as_float) noexcept {
  if (s == "INF" || s == "+INF") return std::numeric_limits<double>::infinity();
  if (s == "-INF") return -std::numeric_limits<double>::infinity();
  if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  bool negative = false;
  if (s.front() == '+' || s.front() == '-') {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  double value = 0;
  const char* end = s.data() + s.size();
  if (as_float) {
    float f = 0;
    auto [ptr, ec] = std::from_chars(s.data(), end, f);
    value = f;
    if (ec == std::errc::result_out_of_range) value = -1;
  } else {
    auto [ptr, ec] = std::from_chars(s.data(), end, value);
    if (ec == std::errc::result_out_of_range) value = -1;
  }
  if (value < 0) {
    // Out of range: a negative exponent underflowed to zero, anything else overflowed.
    std::size_t e = s.find_first_of("eE");
    bool underflow = e != std::string_view::npos && e + 1 < s.size() && s[e + 1] == '-';
    value = underflow ? 0.0 : std::numeric_limits<double>::infinity();
  }
  return negative ? -value : value;
}

// --- dates -------------------------------------------------------------------------------------

struct DateTime {
  std::int64_t year = 0;  // valid only when year_fits
  bool year_fits = true;
  int month = 0, day = 0, hour = 0, minute = 0, second = 0;
  std::string_view fraction;  // without trailing zeros
  bool has_timezone = false;
  int timezone_minutes = 0;
};

bool two_digits(std::string_view s, std::size_t pos, int& out) noexcept {
  if (pos + 2 > s.size() || !is_digit(s[pos]) || !is_digit(s[pos + 1])) return false;
  out = (s[pos] - '0') * 10 + (s[pos + 1] - '0');
  return true;
}

bool is_leap(std::int64_t y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(std::int64_t y, int m) noexcept {
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

// Parses "-?YYYY-MM-DD" from the front of s; advances pos.
bool parse_date_part(std::string_view s, std::size_t& pos, DateTime& out) noexcept {
  bool negative = false;
  if (pos < s.size() && s[pos] == '-') {
    negative = true;
    ++pos;
  }
  std::size_t start = pos;
  while (pos < s.size() && is_digit(s[pos])) ++pos;
  std::size_t digits = pos - start;
  if (digits < 4 || (digits > 4 && s[start] == '0')) return false;
  out.year_fits = digits <= 12;
  if (out.year_fits) {
    std::int64_t y = 0;
    for (std::size_t i = start; i < pos; ++i) y = y * 10 + (s[i] - '0');
    out.year = negative ? -y : y;
  }
  if (pos >= s.size() || s[pos] != '-' || !two_digits(s, pos + 1, out.month)) return false;
  pos += 3;
  if (pos >= s.size() || s[pos] != '-' || !two_digits(s, pos + 1, out.day)) return false;
  pos += 3;
  if (out.month < 1 || out.month > 12 || out.day < 1) return false;
  // Years that do not fit are checked as if leap (29 February is then accepted).
  return out.day <= (out.year_fits ? days_in_month(out.year, out.month)
                                   : (out.month == 2 ? 29 : days_in_month(2000, out.month)));
}

// Parses an optional time zone "Z" or "(+|-)hh:mm" at pos, which must then be the end.
bool parse_timezone(std::string_view s, std::size_t pos, DateTime& out) noexcept {
  if (pos == s.size()) return true;
  out.has_timezone = true;
  if (s[pos] == 'Z') return pos + 1 == s.size();
  if (s[pos] != '+' && s[pos] != '-') return false;
  int hh = 0, mm = 0;
  if (!two_digits(s, pos + 1, hh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
      !two_digits(s, pos + 4, mm) || pos + 6 != s.size()) {
    return false;
  }
  if (mm > 59 || hh > 14 || (hh == 14 && mm != 0)) return false;
  out.timezone_minutes = (s[pos] == '-' ? -1 : 1) * (hh * 60 + mm);
  return true;
}

// xsd:dateTime: -?YYYY-MM-DDThh:mm:ss(\.s+)?(Z|(+|-)hh:mm)?
std::optional<DateTime> parse_date_time(std::string_view s) noexcept {
  DateTime dt;
  std::size_t pos = 0;
  if (!parse_date_part(s, pos, dt)) return std::nullopt;
  if (pos >= s.size() || s[pos] != 'T') return std::nullopt;
  if (!two_digits(s, pos + 1, dt.hour) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
      !two_digits(s, pos + 4, dt.minute) || pos + 6 >= s.size() || s[pos + 6] != ':' ||
      !two_digits(s, pos + 7, dt.second)) {
    return std::nullopt;
  }
  pos += 9;
  if (pos < s.size() && s[pos] == '.') {
    std::size_t start = ++pos;
    while (pos < s.size() && is_digit(s[pos])) ++pos;
    if (pos == start) return std::nullopt;
    dt.fraction = s.substr(start, pos - start);
    while (!dt.fraction.empty() && dt.fraction.back() == '0') dt.fraction.remove_suffix(1);
  }
  if (dt.minute > 59 || dt.second > 59) return std::nullopt;
  // 24:00:00 is the end of the day (XSD 1.1); any other 24th hour is invalid.
  if (dt.hour > 24 || (dt.hour == 24 && (dt.minute || dt.second || !dt.fraction.empty()))) {
    return std::nullopt;
  }
  if (!parse_timezone(s, pos, dt)) return std::nullopt;
  return dt;
}

// xsd:date: -?YYYY-MM-DD(Z|(+|-)hh:mm)?
std::optional<DateTime> parse_date(std::string_view s) noexcept {
  DateTime dt;
  std::size_t pos = 0;
  if (!parse_date_part(s, pos, dt) || !parse_timezone(s, pos, dt)) return std::nullopt;
  return dt;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "chrono-Compatible Low-Level
// Date Algorithms", days_from_civil).
std::int64_t days_from_civil(std::int64_t y, int m, int d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::int64_t seconds_of(const DateTime& dt) noexcept {
  return days_from_civil(dt.year, dt.month, dt.day) * 86400 + dt.hour * 3600 + dt.minute * 60 +
         dt.second - static_cast<std::int64_t>(dt.timezone_minutes) * 60;
}

bool same_instant(const std::optional<DateTime>& a, const std::optional<DateTime>& b) noexcept {
  if (!a || !b || a->has_timezone != b->has_timezone) return false;
  if (!a->year_fits || !b->year_fits) return false;
  return seconds_of(*a) == seconds_of(*b) && a->fraction == b->fraction;
}

}  // namespace

Type classify(std::string_view iri) noexcept {
  if (iri.size() <= xsd_namespace.size() || iri.substr(0, xsd_namespace.size()) != xsd_namespace) {
    return Type::other;
  }
  std::string_view n = iri.substr(xsd_namespace.size());
  switch (n.front()) {
    case 'b':
      if (n == "boolean") return Type::boolean;
      if (n == "byte") return Type::byte;
      break;
    case 'd':
      if (n == "decimal") return Type::decimal;
      if (n == "double") return Type::double_;
      if (n == "dateTime") return Type::date_time;
      if (n == "dateTimeStamp") return Type::date_time_stamp;
      if (n == "date") return Type::date;
      break;
    case 'f':
      if (n == "float") return Type::float_;
      break;
    case 'i':
      if (n == "integer") return Type::integer;
      if (n == "int") return Type::int_;
      break;
    case 'l':
      if (n == "long") return Type::long_;
      if (n == "language") return Type::string;
      break;
    case 'n':
      if (n == "nonPositiveInteger") return Type::non_positive_integer;
      if (n == "negativeInteger") return Type::negative_integer;
      if (n == "nonNegativeInteger") return Type::non_negative_integer;
      if (n == "normalizedString") return Type::string;
      break;
    case 'p':
      if (n == "positiveInteger") return Type::positive_integer;
      break;
    case 's':
      if (n == "string") return Type::string;
      if (n == "short") return Type::short_;
      break;
    case 't':
      if (n == "token") return Type::string;
      break;
    case 'u':
      if (n == "unsignedLong") return Type::unsigned_long;
      if (n == "unsignedInt") return Type::unsigned_int;
      if (n == "unsignedShort") return Type::unsigned_short;
      if (n == "unsignedByte") return Type::unsigned_byte;
      break;
    default: break;
  }
  return Type::other;
}

ValueSpace value_space(Type t) noexcept {
  switch (t) {
    case Type::boolean: return ValueSpace::boolean;
    case Type::date_time:
    case Type::date_time_stamp: return ValueSpace::date_time;
    case Type::date: return ValueSpace::date;
    case Type::other:
    case Type::string: return ValueSpace::none;
    default: return ValueSpace::number;
  }
}

bool is_valid_lexical(Type t, std::string_view s) noexcept {
  switch (t) {
    case Type::other:
    case Type::string: return true;
    case Type::boolean: return s == "true" || s == "false" || s == "1" || s == "0";
    case Type::decimal: return parse_decimal(s).has_value();
    case Type::float_:
    case Type::double_: return is_valid_floating(s);
    case Type::date_time: return parse_date_time(s).has_value();
    case Type::date_time_stamp: {
      auto dt = parse_date_time(s);
      return dt && dt->has_timezone;
    }
    case Type::date: return parse_date(s).has_value();
    default: {
      auto v = parse_integer(s);
      return v && in_range(t, *v);
    }
  }
}

bool same_value(Type ta, std::string_view a, Type tb, std::string_view b) noexcept {
  switch (value_space(ta)) {
    case ValueSpace::boolean: return (a == "true" || a == "1") == (b == "true" || b == "1");
    case ValueSpace::date_time: return same_instant(parse_date_time(a), parse_date_time(b));
    case ValueSpace::date: return same_instant(parse_date(a), parse_date(b));
    case ValueSpace::number: {
      bool fa = ta == Type::float_ || ta == Type::double_;
      bool fb = tb == Type::float_ || tb == Type::double_;
      if (fa || fb) {
        return floating_value(a, ta == Type::float_) == floating_value(b, tb == Type::float_);
      }
      auto da = is_integer_type(ta) ? parse_integer(a) : parse_decimal(a);
      auto db = is_integer_type(tb) ? parse_integer(b) : parse_decimal(b);
      return da && db && *da == *db;
    }
    case ValueSpace::none: return false;
  }
  return false;
}

}  // namespace gridke::rdf::xsd
