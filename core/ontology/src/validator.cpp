#include "gridke/ontology/validator.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "checks.hpp"
#include "namespaces.hpp"
#include "pairing.hpp"
#include "pattern_scan.hpp"
#include "text_util.hpp"

namespace gridke::ontology {
namespace {

using detail::FileMemo;
using detail::PatternUnit;

bool read_text(const std::filesystem::path& file, std::string& out) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

// Splits "file:line:col" (as Error::location() gives it) into its parts; line/col 0 if absent.
void split_location(const std::string& location, std::string& file, int& line, int& col) {
  file = location;
  line = 0;
  col = 0;
  auto last = location.rfind(':');
  if (last == std::string::npos) return;
  auto prev = location.rfind(':', last - 1);
  if (prev == std::string::npos) return;
  try {
    line = std::stoi(location.substr(prev + 1, last - prev - 1));
    col = std::stoi(location.substr(last + 1));
    file = location.substr(0, prev);
  } catch (...) {  // not numbers: the location is a plain name
    line = 0;
    col = 0;
  }
}

std::string fix_for(const std::string& message) {
  const std::string unresolved = "Unresolved prefixed name: ";
  if (auto p = message.find(unresolved); p != std::string::npos) {
    const auto start = p + unresolved.size();
    const auto colon = message.find(':', start);
    if (colon != std::string::npos) {
      const std::string prefix = message.substr(start, colon - start);
      if (auto ns = detail::namespace_of_prefix(prefix)) {
        return "declare it: @prefix " + prefix + ": <" + std::string(*ns) + "> .";
      }
      return "declare the prefix with @prefix " + prefix + ": <namespace> .";
    }
  }
  if (message.find("unknown contract property") != std::string::npos) {
    return "use only kb:, gkc:, rdf:type and rdfs:comment properties (docs/contract-format.md)";
  }
  if (message.find("complete") != std::string::npos) {
    return "give every variable of the pattern a value in each example binding";
  }
  for (const char* word : {"FILTER", "OPTIONAL", "UNION", "GRAPH", "MINUS", "BIND", "VALUES",
                           "SERVICE", "property path", "blank-node"}) {
    if (message.find(word) != std::string::npos) {
      return "KE graph patterns are basic graph patterns: only `subject predicate object .` "
             "triples";
    }
  }
  return "see docs/contract-format.md";
}

Finding finding_from_error(const Error& e, const std::string& fallback_file, std::string check) {
  Finding f;
  split_location(e.location(), f.file, f.line, f.column);
  if (f.file.empty() || f.file == "<pattern>" || f.file == "<string>") f.file = fallback_file;
  f.severity = Severity::error;
  f.check = std::move(check);
  f.message = e.message();
  f.fix = fix_for(e.message());
  return f;
}

// Line/column of the first match of any of `needles` in `text`, or (0, 0).
std::pair<int, int> position_of(std::string_view text, std::initializer_list<std::string> needles) {
  for (const auto& n : needles) {
    const auto at = text.find(n);
    if (at != std::string_view::npos) {
      int l = 0;
      int c = 0;
      detail::line_col(text, at, l, c);
      return {l, c};
    }
  }
  return {0, 0};
}

// Sorts by position and drops repeats: a predicate shared by an object list (`p ?a , ?b`) is one
// term in the text, so it gets one finding.
void sort_findings(std::vector<Finding>& f) {
  std::stable_sort(f.begin(), f.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.file, a.line, a.column, a.check, a.message) <
           std::tie(b.file, b.line, b.column, b.check, b.message);
  });
  f.erase(std::unique(f.begin(), f.end(),
                      [](const Finding& a, const Finding& b) {
                        return a.file == b.file && a.line == b.line && a.column == b.column &&
                               a.check == b.check && a.message == b.message;
                      }),
          f.end());
}

void append(Report& into, Report&& from) {
  into.findings.insert(into.findings.end(), std::make_move_iterator(from.findings.begin()),
                       std::make_move_iterator(from.findings.end()));
  into.pairings.insert(into.pairings.end(), std::make_move_iterator(from.pairings.begin()),
                       std::make_move_iterator(from.pairings.end()));
  into.files += from.files;
  into.contracts += from.contracts;
  into.patterns += from.patterns;
}

}  // namespace

Report validate_pattern_text(const Ontology& ontology, std::string_view text,
                             const pattern::PrefixMap& prefixes, std::string_view file) {
  Report report;
  report.files = 1;
  report.patterns = 1;
  std::vector<detail::PrefixDeclaration> decls;
  const std::string stripped = detail::strip_prefix_lines(text, decls);
  PatternUnit unit;
  unit.file = std::string(file);
  unit.text = stripped;
  unit.prefixes = prefixes;
  for (const auto& d : decls) {
    unit.prefixes[d.prefix] = d.iri;
    int l = 0;
    int c = 0;
    detail::line_col(text, d.offset, l, c);
    unit.prefix_positions[d.prefix] = {l, c};
  }
  auto parsed = pattern::GraphPattern::parse(stripped, unit.prefixes);
  if (!parsed.has_value() &&
      parsed.error().message().find("Unresolved prefixed name") == std::string::npos) {
    report.findings.push_back(finding_from_error(parsed.error(), unit.file, "ke-syntax"));
  }
  FileMemo memo;
  (void)detail::check_pattern(ontology, unit, memo, report.findings);
  sort_findings(report.findings);
  return report;
}

Report validate_contracts(const Ontology& ontology, const std::vector<adapter::Contract>& contracts,
                          const ValidateOptions& options) {
  Report report;
  report.level = options.level;
  report.contracts = static_cast<int>(contracts.size());
  for (const auto& c : contracts) {
    const std::string file = c.file.string();
    std::string text;
    read_text(c.file, text);
    FileMemo memo;
    auto make_unit = [&](const adapter::PatternSource& src, std::string role) {
      PatternUnit u;
      u.file = file;
      u.text = src.text;
      u.origin_line = src.line > 0 ? src.line : 1;
      u.origin_column = src.column > 0 ? src.column : 1;
      u.prefixes = c.ki.prefixes;
      u.role = std::move(role);
      for (const auto& [prefix, ns] : c.ki.prefixes) {
        auto pos = position_of(text, {"@prefix " + prefix + ":", "@prefix " + prefix + " :",
                                      "PREFIX " + prefix + ":"});
        if (pos.first > 0) u.prefix_positions[prefix] = pos;
      }
      return u;
    };
    const bool has_result_role = c.ki.kind == ki::KiKind::post || c.ki.kind == ki::KiKind::react;
    const auto examples_at = position_of(text, {"gkc:exampleBindings", "exampleBindings"});
    const auto results_at =
        position_of(text, {"gkc:exampleResultBindings", "exampleResultBindings"});
    if (c.pattern_source) {
      auto unit = make_unit(*c.pattern_source, has_result_role ? "argument pattern" : "pattern");
      auto facts = detail::check_pattern(ontology, unit, memo, report.findings);
      if (c.example_bindings.empty()) {
        report.findings.push_back({file, 0, 0, Severity::warning, "example-binding",
                                   "contract '" + c.name + "' has no gkc:exampleBindings",
                                   "add one realistic example binding set (KE wire JSON)"});
      } else {
        detail::check_bindings(ontology, facts, c.example_bindings, file, examples_at.first,
                               examples_at.second, "gkc:exampleBindings", report.findings);
      }
    }
    if (c.result_pattern_source) {
      auto unit = make_unit(*c.result_pattern_source, "result pattern");
      auto facts = detail::check_pattern(ontology, unit, memo, report.findings);
      if (c.example_result_bindings.empty()) {
        report.findings.push_back({file, 0, 0, Severity::warning, "example-binding",
                                   "contract '" + c.name +
                                       "' has a result pattern but no "
                                       "gkc:exampleResultBindings",
                                   "add one realistic example of the result bindings"});
      } else {
        detail::check_bindings(ontology, facts, c.example_result_bindings, file, results_at.first,
                               results_at.second, "gkc:exampleResultBindings", report.findings);
      }
    }
  }
  std::vector<const adapter::Contract*> ptrs;
  for (const auto& c : contracts) ptrs.push_back(&c);
  report.pairings = detail::pair_contracts(ptrs, options.level, report.findings);
  sort_findings(report.findings);
  return report;
}

Result<Report> validate(const Ontology& ontology, const std::vector<std::filesystem::path>& paths,
                        const ValidateOptions& options) {
  if (options.level < 1 || options.level > 2) {
    return invalid_argument("level must be 1 or 2, got " + std::to_string(options.level));
  }
  std::vector<std::filesystem::path> files;
  auto wanted = [](const std::filesystem::path& p) {
    const auto ext = p.extension().string();
    return ext == ".ttl" || ext == ".gp" || ext == ".rq";
  };
  for (const auto& p : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      std::vector<std::filesystem::path> found;
      for (auto it = std::filesystem::recursive_directory_iterator(p, ec);
           !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file() && wanted(it->path())) found.push_back(it->path());
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (std::filesystem::is_regular_file(p, ec)) {
      if (!wanted(p)) {
        return invalid_argument("cannot validate " + p.string() +
                                ": expected a contract (.ttl) or a graph pattern (.gp, .rq)");
      }
      files.push_back(p);
    } else {
      return not_found("no such file or folder: " + p.string());
    }
  }
  Report report;
  report.level = options.level;
  std::vector<adapter::Contract> contracts;
  std::map<std::string, std::string> names;
  for (const auto& f : files) {
    ++report.files;
    if (f.extension() == ".ttl") {
      auto loaded = adapter::load_contract(f);
      if (!loaded.has_value()) {
        report.findings.push_back(finding_from_error(loaded.error(), f.string(), "contract"));
        continue;
      }
      auto [it, inserted] = names.emplace(loaded->name, f.string());
      if (!inserted) {
        report.findings.push_back({f.string(), 0, 0, Severity::error, "duplicate-name",
                                   "KI name '" + loaded->name + "' is also used by " + it->second,
                                   "give every contract a unique gkc:name"});
        continue;
      }
      contracts.push_back(std::move(loaded).value());
    } else {
      std::string text;
      if (!read_text(f, text)) return not_found("cannot read " + f.string());
      auto r = validate_pattern_text(ontology, text, {}, f.string());
      r.files = 0;
      append(report, std::move(r));
    }
  }
  auto cr = validate_contracts(ontology, contracts, options);
  append(report, std::move(cr));
  sort_findings(report.findings);
  return report;
}

}  // namespace gridke::ontology
