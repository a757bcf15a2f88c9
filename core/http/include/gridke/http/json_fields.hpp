#pragma once
// Reading service JSON with errors that name the field: every service decoder uses these so
// that a bad request is answered "<path>: <what was wrong>" (e.g. "measurements[3].v_measured:
// must be a number, got string").
// Thread safety: pure functions.

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "gridke/base/result.hpp"

namespace gridke::http {

/// A JSON path for messages: join("measurements", 3) → "measurements[3]",
/// join("a", "b") → "a.b", join("", "b") → "b".
std::string join(std::string_view path, std::string_view key);
std::string join(std::string_view path, std::size_t index);

/// The JSON type name used in messages ("string", "number", "object", …).
std::string_view type_name(const nlohmann::json& j);

/// invalid_argument unless `j` is an object whose keys are all in `allowed` (names the first
/// unknown key and lists the allowed ones).
Result<void> check_object(const nlohmann::json& j, std::string_view path,
                          std::initializer_list<std::string_view> allowed);

/// Required members: invalid_argument "<path.key>: is required" or "…: must be a <type>, got
/// <type>". Optional members return nullopt when absent or null.
Result<std::string> get_string(const nlohmann::json& j, std::string_view path, const char* key);
Result<double> get_number(const nlohmann::json& j, std::string_view path, const char* key);
Result<std::int64_t> get_integer(const nlohmann::json& j, std::string_view path, const char* key);
Result<bool> get_bool(const nlohmann::json& j, std::string_view path, const char* key);
Result<const nlohmann::json*> get_array(const nlohmann::json& j, std::string_view path,
                                        const char* key);
Result<const nlohmann::json*> get_object(const nlohmann::json& j, std::string_view path,
                                         const char* key);
Result<std::optional<std::string>> get_optional_string(const nlohmann::json& j,
                                                       std::string_view path, const char* key);
Result<std::optional<double>> get_optional_number(const nlohmann::json& j, std::string_view path,
                                                  const char* key);
Result<std::optional<std::int64_t>> get_optional_integer(const nlohmann::json& j,
                                                         std::string_view path, const char* key);

using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;
/// ISO 8601 / RFC 3339 timestamps: "2026-11-27T10:15:00Z", with optional fraction and offset
/// ("+01:00"); a date-time without zone is UTC. Errors name `field` and the text.
Result<TimePoint> parse_time(std::string_view text, std::string_view field);
/// "2026-11-27T10:15:00Z" (milliseconds printed only when non-zero).
std::string format_time(TimePoint t);
Result<TimePoint> get_time(const nlohmann::json& j, std::string_view path, const char* key);

}  // namespace gridke::http
