#pragma once
// Contract: one knowledge interaction declared in a contract file under graph-patterns/
// (format: docs/contract-format.md). ContractSet: every contract of a folder, by name.
// Thread safety: immutable value types once loaded, share freely.
// Ownership: a ContractSet owns its contracts; pointers it returns live as long as the set.

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/ki/knowledge_interaction.hpp"
#include "gridke/pattern/binding.hpp"

namespace gridke::adapter {

/// The GridKE contract vocabulary, `gkc:`.
inline constexpr std::string_view gkc_namespace = "https://w3id.org/gridke/contract#";

/// Where a graph-pattern literal sits in its contract file, so that tools (the loader,
/// `gridke validate`) can report a problem inside the pattern at file:line:col.
struct PatternSource {
  /// The literal's text as written (the pattern the KI was parsed from).
  std::string text;
  /// 1-based line and column of the literal's first character in the file (after the
  /// opening quotes); 0 when the literal could not be located in the file text.
  int line = 0;
  int column = 0;

  /// Translates a 1-based position inside `text` into "file:line:col" of the contract file.
  std::string file_location(const std::filesystem::path& file, int pattern_line,
                            int pattern_column) const;
};

/// One loaded contract: the KI definition plus the documentation and examples around it.
struct Contract {
  /// The file it was loaded from ("<string>" style name for parse_contract()).
  std::filesystem::path file;
  /// gkc:name: the KI name, `[a-zA-Z0-9-]+`; SSAs refer to the contract by it.
  std::string name;
  /// gkc:service: the service / SSA family; defaults to the name of the file's folder.
  std::string service;
  /// rdfs:comment, empty when absent.
  std::string comment;
  /// The KI as it is registered: kind, name, prefixes of the file, pattern(s), act, options.
  ki::KnowledgeInteraction ki;
  /// gkc:exampleBindings (each binding complete for ki.pattern); empty when absent.
  pattern::BindingSet example_bindings;
  /// gkc:exampleResultBindings (complete for ki.result_pattern); empty when absent.
  pattern::BindingSet example_result_bindings;
  /// Where the pattern literals are in the file: `pattern_source` for kb:GraphPattern or
  /// kb:ArgumentGraphPattern, `result_pattern_source` for kb:ResultGraphPattern.
  std::optional<PatternSource> pattern_source;
  std::optional<PatternSource> result_pattern_source;
};

/// Loads one contract file (Turtle, docs/contract-format.md). Errors carry the location
/// "file:line:col" of the offending place in the file:
/// - not_found: no such file;
/// - parse_error: Turtle syntax (from rdf::Graph), a graph pattern (translated from the
///   pattern literal into the file), example JSON that is not an array of objects of strings,
///   an example value that is not a KE term;
/// - invalid_argument: no KI kind or two kinds ("two kinds"), more than one KI subject, an
///   unknown contract property ("unknown contract property"), a missing or duplicated
///   gkc:name or pattern ("missing pattern"), a pattern node of the wrong type for the kind,
///   a bad name, match level or boolean, an example binding that uses a key not in the
///   pattern or is not complete for it, and whatever ki::KnowledgeInteraction::validate()
///   rejects.
Result<Contract> load_contract(const std::filesystem::path& file);

/// Parses a contract from text; `display_name` stands for the file in locations and
/// in Contract::file. Same errors as load_contract() apart from not_found.
Result<Contract> parse_contract(std::string_view text, const std::filesystem::path& display_name);

/// The contracts of one folder tree, by name.
class ContractSet {
 public:
  ContractSet() = default;

  /// Adds a contract. Errors: already_exists when a contract of the same name is present
  /// (the message names both files).
  Result<void> add(Contract contract);

  /// The contract of that name, or nullptr. Valid as long as the set is not modified.
  const Contract* find(std::string_view name) const;
  /// As find(), but a missing name is not_found with the names that are present.
  Result<const Contract*> get(std::string_view name) const;

  std::size_t size() const noexcept { return contracts_.size(); }
  bool empty() const noexcept { return contracts_.empty(); }
  /// All contracts, ordered by name.
  std::vector<const Contract*> contracts() const;

 private:
  std::map<std::string, Contract, std::less<>> contracts_;
};

/// Loads every `*.ttl` file under `dir` (recursively, in path order) into one set.
/// Errors: not_found (no such folder), the first load_contract() error, already_exists for a
/// duplicate name (naming both files).
Result<ContractSet> load_contracts(const std::filesystem::path& dir);

/// Loads every `*.ttl` file under `dir`, collecting every error instead of stopping at the
/// first (for `gridke validate`). Duplicate names are reported as errors too; contracts
/// that loaded are in `contracts`.
struct ContractLoadReport {
  ContractSet contracts;
  std::vector<Error> errors;
};
Result<ContractLoadReport> load_contracts_collecting(const std::filesystem::path& dir);

}  // namespace gridke::adapter
