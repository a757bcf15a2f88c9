#pragma once
// Parsing of a contract's example bindings (gkc:exampleBindings, KE wire JSON).
// Thread safety: stateless functions.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "gridke/base/result.hpp"
#include "gridke/pattern/binding.hpp"

namespace gridke::adapter::detail {

/// Parses `json` — an array of objects mapping variable names to KE term strings — into a
/// binding set. `property` names the contract property in messages; `location_of(offset)`
/// gives the "file:line:col" of a byte offset inside `json`. Errors: parse_error (JSON
/// syntax, not an array of objects, a value that is not a string or not a KE term).
Result<pattern::BindingSet> parse_example_bindings(
    std::string_view json, const std::string& property,
    const std::function<std::string(std::size_t)>& location_of);

}  // namespace gridke::adapter::detail
