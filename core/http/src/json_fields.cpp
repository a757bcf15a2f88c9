// JSON field readers with path-named errors (json_fields.hpp).

#include "gridke/http/json_fields.hpp"

#include <cmath>
#include <cstdio>

namespace gridke::http {

using nlohmann::json;

std::string join(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  std::string out(path);
  out += '.';
  out += key;
  return out;
}

std::string join(std::string_view path, std::size_t index) {
  return std::string(path.empty() ? std::string_view("[root]") : path) + "[" +
         std::to_string(index) + "]";
}

std::string_view type_name(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "object";
    case json::value_t::array: return "array";
    case json::value_t::string: return "string";
    case json::value_t::boolean: return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return "number";
    case json::value_t::binary: return "binary";
    case json::value_t::discarded: return "discarded";
  }
  return "unknown";
}

namespace {

std::string where(std::string_view path) {
  return path.empty() ? std::string("request body") : std::string(path);
}

Error wrong_type(std::string_view path, const char* key, std::string_view expected,
                 const json& got) {
  return invalid_argument(join(path, key) + ": must be " + std::string(expected) + ", got " +
                          std::string(type_name(got)));
}

Result<const json*> member(const json& j, std::string_view path, const char* key, bool required) {
  if (!j.is_object()) {
    return invalid_argument(where(path) + ": must be an object, got " + std::string(type_name(j)));
  }
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) return invalid_argument(join(path, key) + ": is required");
    return static_cast<const json*>(nullptr);
  }
  return &*it;
}

}  // namespace

Result<void> check_object(const json& j, std::string_view path,
                          std::initializer_list<std::string_view> allowed) {
  if (!j.is_object()) {
    return invalid_argument(where(path) + ": must be an object, got " + std::string(type_name(j)));
  }
  for (const auto& item : j.items()) {
    bool known = false;
    for (auto a : allowed) known = known || a == item.key();
    if (!known) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return invalid_argument(join(path, item.key()) + ": unknown field (known: " + list + ")");
    }
  }
  return ok();
}

Result<std::string> get_string(const json& j, std::string_view path, const char* key) {
  GRIDKE_ASSIGN_OR_RETURN(const json* v, member(j, path, key, true));
  if (!v->is_string()) return wrong_type(path, key, "a string", *v);
  return v->get<std::string>();
}

Result<double> get_number(const json& j, std::string_view path, const char* key) {
  GRIDKE_ASSIGN_OR_RETURN(const json* v, member(j, path, key, true));
  if (!v->is_number()) return wrong_type(path, key, "a number", *v);
  const double d = v->get<double>();
  if (!std::isfinite(d)) return invalid_argument(join(path, key) + ": must be finite");
  return d;
}

Result<std::int64_t> get_integer(const json& j, std::string_view path, const char* key) {
  GRIDKE_ASSIGN_OR_RETURN(const json* v, member(j, path, key, true));
  if (v->is_number_integer()) return v->get<std::int64_t>();
  if (v->is_number_unsigned()) {
    const auto u = v->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX)) {
      return invalid_argument(join(path, key) + ": integer out of range");
    }
    return static_cast<std::int64_t>(u);
  }
  if (v->is_number_float()) {
    const double d = v->get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) {
      return static_cast<std::int64_t>(d);
    }
  }
  return wrong_type(path, key, "an integer", *v);
}

Result<bool> get_bool(const json& j, std::string_view path, const char* key) {
  GRIDKE_ASSIGN_OR_RETURN(const json* v, member(j, path, key, true));
  if (!v->is_boolean()) return wrong_type(path, key, "true or false", *v);
  return v->get<bool>();
}

Result<const json*> get_array(const json& j, std::string_view path, const char* key) {
  GRIDKE_ASSIGN_OR_RETURN(const json* v, member(j, path, key, true));
  if (!v->is_array()) return wrong_type(path, key, "an array", *v);
  return v;
}

Result<const json*> get_object(const json& j, std::string_view path, const char* key) {
  GRIDKE_ASSIGN_OR_RETURN(const json* v, member(j, path, key, true));
  if (!v->is_object()) return wrong_type(path, key, "an object", *v);
  return v;
}

Result<std::optional<std::string>> get_optional_string(const json& j, std::string_view path,
                                                       const char* key) {
  GRIDKE_ASSIGN_OR_RETURN(const json* v, member(j, path, key, false));
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) return wrong_type(path, key, "a string", *v);
  return std::optional<std::string>(v->get<std::string>());
}

Result<std::optional<double>> get_optional_number(const json& j, std::string_view path,
                                                  const char* key) {
  GRIDKE_ASSIGN_OR_RETURN(const json* v, member(j, path, key, false));
  if (v == nullptr) return std::optional<double>();
  GRIDKE_ASSIGN_OR_RETURN(double d, get_number(j, path, key));
  return std::optional<double>(d);
}

Result<std::optional<std::int64_t>> get_optional_integer(const json& j, std::string_view path,
                                                         const char* key) {
  GRIDKE_ASSIGN_OR_RETURN(const json* v, member(j, path, key, false));
  if (v == nullptr) return std::optional<std::int64_t>();
  GRIDKE_ASSIGN_OR_RETURN(std::int64_t i, get_integer(j, path, key));
  return std::optional<std::int64_t>(i);
}

namespace {

bool digits(std::string_view t, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > t.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (t[i] < '0' || t[i] > '9') return false;
    v = v * 10 + (t[i] - '0');
  }
  out = v;
  return true;
}

Error bad_time(std::string_view field, std::string_view text, std::string_view why) {
  return invalid_argument(std::string(field) + ": '" + std::string(text) +
                          "' is not an ISO 8601 date-time (" + std::string(why) +
                          "; e.g. 2026-11-27T10:15:00Z)");
}

}  // namespace

Result<TimePoint> parse_time(std::string_view t, std::string_view field) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!digits(t, 0, 4, y) || t.size() < 10 || t[4] != '-' || !digits(t, 5, 2, mo) || t[7] != '-' ||
      !digits(t, 8, 2, d)) {
    return bad_time(field, t, "expected YYYY-MM-DD");
  }
  std::size_t pos = 10;
  if (pos < t.size()) {
    if ((t[pos] != 'T' && t[pos] != ' ') || !digits(t, 11, 2, h) || t.size() < 16 || t[13] != ':' ||
        !digits(t, 14, 2, mi)) {
      return bad_time(field, t, "expected THH:MM after the date");
    }
    pos = 16;
    if (pos < t.size() && t[pos] == ':') {
      if (!digits(t, 17, 2, s)) return bad_time(field, t, "expected two digits of seconds");
      pos = 19;
    }
  }
  long long ms = 0;
  if (pos < t.size() && (t[pos] == '.' || t[pos] == ',')) {
    ++pos;
    std::size_t n = 0;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
      if (n < 3) ms = ms * 10 + (t[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0) return bad_time(field, t, "empty fraction of a second");
    for (std::size_t k = n; k < 3; ++k) ms *= 10;
  }
  long long offset_min = 0;
  if (pos < t.size()) {
    if (t[pos] == 'Z' || t[pos] == 'z') {
      ++pos;
    } else if (t[pos] == '+' || t[pos] == '-') {
      int oh = 0, om = 0;
      const bool colon = pos + 3 < t.size() && t[pos + 3] == ':';
      if (!digits(t, pos + 1, 2, oh) || !digits(t, pos + (colon ? 4 : 3), 2, om) || oh > 23 ||
          om > 59) {
        return bad_time(field, t, "bad zone offset");
      }
      offset_min = (t[pos] == '-' ? -1 : 1) * (oh * 60LL + om);
      pos += colon ? 6 : 5;
    }
  }
  if (pos != t.size()) return bad_time(field, t, "unexpected text after the time");
  const std::chrono::year_month_day ymd{std::chrono::year(y),
                                        std::chrono::month(static_cast<unsigned>(mo)),
                                        std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return bad_time(field, t, "no such date");
  if (h > 23 || mi > 59 || s > 60) return bad_time(field, t, "time of day out of range");
  return TimePoint(std::chrono::sys_days(ymd).time_since_epoch()) + std::chrono::hours(h) +
         std::chrono::minutes(mi) + std::chrono::seconds(s) + std::chrono::milliseconds(ms) -
         std::chrono::minutes(offset_min);
}

std::string format_time(TimePoint t) {
  const auto days = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{days};
  const long long ms = (t - days).count();
  char buf[64];
  if (ms % 1000 == 0) {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lldZ",
                  static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), ms / 3'600'000, ms / 60'000 % 60,
                  ms / 1000 % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                  static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), ms / 3'600'000, ms / 60'000 % 60,
                  ms / 1000 % 60, ms % 1000);
  }
  return buf;
}

Result<TimePoint> get_time(const json& j, std::string_view path, const char* key) {
  GRIDKE_ASSIGN_OR_RETURN(std::string text, get_string(j, path, key));
  return parse_time(text, join(path, key));
}

}  // namespace gridke::http
