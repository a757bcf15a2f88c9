#include "contract_examples.hpp"

#include <nlohmann/json.hpp>

#include <utility>
#include <vector>

namespace gridke::adapter::detail {

Result<pattern::BindingSet> parse_example_bindings(
    std::string_view json, const std::string& property,
    const std::function<std::string(std::size_t)>& location_of) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(json);
  } catch (const nlohmann::json::parse_error& e) {
    std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    std::string what = e.what();
    // nlohmann's text starts "[json.exception.parse_error.101] parse error at line 1, ...: ";
    // keep the part after the last ": " that explains the problem.
    auto colon = what.find("; ");
    std::string detail = colon == std::string::npos ? what : what.substr(colon + 2);
    return parse_error(property + " is not valid JSON: " + detail, location_of(offset));
  } catch (const nlohmann::json::exception& e) {  // e.g. a number out of range (1e400)
    return parse_error(property + " is not valid JSON: " + e.what(), location_of(0));
  }
  if (!doc.is_array()) {
    return parse_error(property +
                           " must be a JSON array of bindings, e.g. [{\"v\": \"21.5\"}], not a "
                           "JSON " +
                           std::string(doc.type_name()),
                       location_of(0));
  }
  // Best effort to point at a value inside the JSON text: its first occurrence.
  auto locate = [&](const nlohmann::json& value) {
    auto at = json.find(value.dump());
    return location_of(at == std::string_view::npos ? 0 : at);
  };
  pattern::BindingSet out;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const auto& element = doc[i];
    if (!element.is_object()) {
      return parse_error(property + ": binding " + std::to_string(i + 1) +
                             " must be a JSON object (variable → term), not a JSON " +
                             std::string(element.type_name()),
                         location_of(0));
    }
    std::vector<std::pair<std::string, std::string>> wire;
    for (const auto& [key, value] : element.items()) {
      if (!value.is_string()) {
        return parse_error(property + ": binding " + std::to_string(i + 1) + ", variable '" + key +
                               "': the value must be a JSON string holding an RDF term "
                               "(e.g. \"<https://example.org/x>\" or \"21.5\"), not " +
                               value.dump(),
                           locate(value));
      }
      wire.emplace_back(key, value.get<std::string>());
    }
    auto binding = pattern::parse_binding(wire);
    if (!binding) {
      // Point at the first value of this binding that does not parse alone.
      std::string at = location_of(0);
      for (const auto& [key, value] : element.items()) {
        if (!pattern::parse_binding({{key, value.get<std::string>()}})) {
          at = locate(value);
          break;
        }
      }
      return Error(
          ErrorCode::parse_error,
          property + ": binding " + std::to_string(i + 1) + ": " + binding.error().message(), at);
    }
    out.insert(std::move(binding).value());
  }
  return out;
}

}  // namespace gridke::adapter::detail
