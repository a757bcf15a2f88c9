#include "gridke/adapter/contract.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "contract_examples.hpp"
#include "gridke/rdf/graph.hpp"
#include "gridke/rdf/vocabulary.hpp"
#include "turtle_text.hpp"

namespace gridke::adapter {
namespace {

using detail::TextPosition;
using detail::TurtleText;
using rdf::Term;

const std::string kb_ns(rdf::vocab::ke);
const std::string gkc_ns(gkc_namespace);
const std::string rdfs_comment = std::string(rdf::vocab::rdfs) + "comment";

const std::set<std::string>& known_properties() {
  static const std::set<std::string> known = {
      std::string(rdf::vocab::rdf_type),
      rdfs_comment,
      kb_ns + "hasGraphPattern",
      kb_ns + "hasPattern",
      kb_ns + "hasCommunicativeAct",
      kb_ns + "hasRequirement",
      kb_ns + "hasSatisfaction",
      gkc_ns + "name",
      gkc_ns + "service",
      gkc_ns + "exampleBindings",
      gkc_ns + "exampleResultBindings",
      gkc_ns + "matchLevel",
      gkc_ns + "knowledgeGapsEnabled",
      gkc_ns + "includeMetaKIs",
  };
  return known;
}

std::string location_string(const std::filesystem::path& file, TextPosition p) {
  return file.string() + ":" + std::to_string(p.line) + ":" + std::to_string(p.column);
}

// Everything one contract build needs: the graph, the raw text and where to report.
class Builder {
 public:
  Builder(const rdf::Graph& graph, std::string_view text, std::filesystem::path file)
      : graph_(graph), text_(text), file_(std::move(file)) {}

  Result<Contract> build();

 private:
  // "file:line:col" of the n-th written occurrence of an IRI, or of the file's start.
  std::string where(std::string_view iri, int nth = 0) const {
    auto p = text_.find_iri(iri, graph_.prefixes(), nth);
    return location_string(file_, p.value_or(TextPosition{}));
  }
  // How an IRI is written in this file: "prefix:local" when a declared prefix covers it.
  std::string shown(std::string_view iri) const {
    for (const auto& [prefix, ns] : graph_.prefixes()) {
      if (!ns.empty() && iri.size() > ns.size() && iri.substr(0, ns.size()) == ns) {
        return prefix + ":" + std::string(iri.substr(ns.size()));
      }
    }
    return "<" + std::string(iri) + ">";
  }
  std::vector<Term> objects(const Term& s, const std::string& p) const {
    std::vector<Term> out;
    for (const auto& t : graph_.find(s, Term::iri(p), std::nullopt)) out.push_back(t.object);
    return out;
  }
  // The single literal value of an optional property; errors on a duplicate or a non-literal.
  Result<std::optional<Term>> single_literal(const Term& s, const std::string& p) const;

  Result<void> check_properties() const;
  Result<Term> find_subject(ki::KiKind& kind) const;
  Result<void> read_patterns(const Term& subject, Contract& c) const;
  Result<void> read_act(const Term& subject, Contract& c) const;
  Result<void> read_options(const Term& subject, Contract& c) const;
  Result<void> read_examples(const Term& subject, Contract& c) const;
  Result<pattern::GraphPattern> parse_pattern(const std::string& text,
                                              std::optional<PatternSource>& source) const;

  const rdf::Graph& graph_;
  TurtleText text_;
  std::filesystem::path file_;
  std::string kind_iri_;  // the class IRI of the KI kind, for locating errors about the KI
};

Result<std::optional<Term>> Builder::single_literal(const Term& s, const std::string& p) const {
  auto values = objects(s, p);
  if (values.empty()) return std::optional<Term>{};
  if (values.size() > 1) {
    return invalid_argument(
        shown(p) + " is given " + std::to_string(values.size()) + " times; give it once",
        where(p, 1));
  }
  if (!values[0].is_literal()) {
    return invalid_argument(shown(p) + " must be a literal, not " + values[0].to_string(),
                            where(p));
  }
  return std::optional<Term>{values[0]};
}

Result<void> Builder::check_properties() const {
  // Report the first unknown property in file order, so the message is deterministic.
  std::optional<std::pair<TextPosition, std::string>> first;
  for (const auto& t : graph_.find(std::nullopt, std::nullopt, std::nullopt)) {
    const std::string& p = t.predicate.value();
    if (known_properties().contains(p)) continue;
    auto pos = text_.find_iri(p, graph_.prefixes()).value_or(TextPosition{});
    if (!first ||
        std::pair(pos.line, pos.column) < std::pair(first->first.line, first->first.column)) {
      first = {pos, p};
    }
  }
  if (!first) return ok();
  return invalid_argument("unknown contract property " + shown(first->second) +
                              "; a contract uses only kb:hasGraphPattern, kb:hasPattern, "
                              "kb:hasCommunicativeAct, kb:hasRequirement, kb:hasSatisfaction, "
                              "gkc:name, gkc:service, gkc:exampleBindings, "
                              "gkc:exampleResultBindings, gkc:matchLevel, "
                              "gkc:knowledgeGapsEnabled, gkc:includeMetaKIs, rdf:type and "
                              "rdfs:comment (docs/contract-format.md)",
                          location_string(file_, first->first));
}

Result<Term> Builder::find_subject(ki::KiKind& kind) const {
  static const std::pair<const char*, ki::KiKind> kinds[] = {
      {"AskKnowledgeInteraction", ki::KiKind::ask},
      {"AnswerKnowledgeInteraction", ki::KiKind::answer},
      {"PostKnowledgeInteraction", ki::KiKind::post},
      {"ReactKnowledgeInteraction", ki::KiKind::react},
  };
  std::vector<std::pair<Term, std::string>> typed;  // subject, kind class IRI
  for (const auto& [local, k] : kinds) {
    std::string cls = kb_ns + local;
    for (const auto& t :
         graph_.find(std::nullopt, Term::iri(std::string(rdf::vocab::rdf_type)), Term::iri(cls))) {
      typed.emplace_back(t.subject, cls);
    }
  }
  if (typed.empty()) {
    return invalid_argument(
        "no knowledge interaction: the contract's subject <> needs a kind, one of "
        "kb:AskKnowledgeInteraction, kb:AnswerKnowledgeInteraction, "
        "kb:PostKnowledgeInteraction, kb:ReactKnowledgeInteraction",
        location_string(file_, {}));
  }
  for (const auto& [subject, cls] : typed) {
    if (subject != typed[0].first) {
      return invalid_argument("more than one knowledge interaction in one file (" +
                                  typed[0].first.to_string() + " and " + subject.to_string() +
                                  "); a contract file declares exactly one KI",
                              where(cls));
    }
  }
  if (typed.size() > 1) {
    // Report at whichever kind is written second.
    auto p0 = text_.find_iri(typed[0].second, graph_.prefixes()).value_or(TextPosition{});
    auto p1 = text_.find_iri(typed[1].second, graph_.prefixes()).value_or(TextPosition{});
    const auto& later = std::pair(p1.line, p1.column) > std::pair(p0.line, p0.column)
                            ? typed[1].second
                            : typed[0].second;
    return invalid_argument("two kinds for one knowledge interaction: " + shown(typed[0].second) +
                                " and " + shown(typed[1].second) + "; a KI has exactly one kind",
                            where(later));
  }
  for (const auto& [local, k] : kinds) {
    if (typed[0].second == kb_ns + local) kind = k;
  }
  return typed[0].first;
}

Result<pattern::GraphPattern> Builder::parse_pattern(const std::string& text,
                                                     std::optional<PatternSource>& source) const {
  PatternSource src{text, 0, 0};
  if (const auto* tok = text_.find_string(text)) {
    src.line = tok->value_start.line;
    src.column = tok->value_start.column;
  }
  source = src;
  auto gp = pattern::GraphPattern::parse(text, graph_.prefixes());
  if (gp) return gp;
  // Translate "<pattern>:L:C" into the file's line and column.
  const Error& e = gp.error();
  int line = 1;
  int col = 1;
  const std::string& loc = e.location();
  auto last = loc.rfind(':');
  auto prev = last == std::string::npos || last == 0 ? std::string::npos : loc.rfind(':', last - 1);
  if (prev != std::string::npos) {
    try {
      line = std::stoi(loc.substr(prev + 1, last - prev - 1));
      col = std::stoi(loc.substr(last + 1));
    } catch (const std::exception&) {
      line = 1;
      col = 1;
    }
  }
  std::string at = src.line > 0 ? src.file_location(file_, line, col) : where(kb_ns + "hasPattern");
  // The pattern parser may repeat its own position in the message; the file position
  // replaces it.
  std::string message = e.message();
  if (message.rfind("Line ", 0) == 0) {
    auto sep = message.find(": ");
    if (sep != std::string::npos && message.find(", column ") < sep) {
      message = message.substr(sep + 2);
    }
  }
  return Error(e.code(), "in graph pattern: " + message, at);
}

Result<void> Builder::read_patterns(const Term& subject, Contract& c) const {
  const bool ask_answer = c.ki.kind == ki::KiKind::ask || c.ki.kind == ki::KiKind::answer;
  const std::string kind_name(ki::to_string(c.ki.kind));
  const std::string gp_cls = kb_ns + "GraphPattern";
  const std::string arg_cls = kb_ns + "ArgumentGraphPattern";
  const std::string res_cls = kb_ns + "ResultGraphPattern";
  const std::string has_gp = kb_ns + "hasGraphPattern";
  int nth = 0;
  for (const Term& node : objects(subject, has_gp)) {
    std::string at = where(has_gp, nth++);
    bool is_gp = false, is_arg = false, is_res = false;
    for (const Term& type : objects(node, std::string(rdf::vocab::rdf_type))) {
      if (type.value() == gp_cls) {
        is_gp = true;
      } else if (type.value() == arg_cls) {
        is_arg = true;
      } else if (type.value() == res_cls) {
        is_res = true;
      } else {
        return invalid_argument("a graph pattern node has type " + shown(type.value()) +
                                    "; use kb:GraphPattern (ASK/ANSWER), "
                                    "kb:ArgumentGraphPattern or kb:ResultGraphPattern (POST/REACT)",
                                at);
      }
    }
    if (is_gp + is_arg + is_res > 1) {
      return invalid_argument("a graph pattern node has more than one pattern type", at);
    }
    bool result_role = false;
    if (ask_answer) {
      if (is_arg || is_res) {
        return invalid_argument("an " + kind_name +
                                    " has one kb:GraphPattern; kb:ArgumentGraphPattern and "
                                    "kb:ResultGraphPattern are for POST/REACT",
                                at);
      }
    } else {
      if (!is_arg && !is_res) {
        return invalid_argument("a " + kind_name +
                                    " needs its graph patterns typed kb:ArgumentGraphPattern "
                                    "or kb:ResultGraphPattern",
                                at);
      }
      result_role = is_res;
    }
    auto& target = result_role ? c.ki.result_pattern : c.ki.pattern;
    auto& source = result_role ? c.result_pattern_source : c.pattern_source;
    if (target) {
      return invalid_argument(std::string("more than one ") +
                                  (ask_answer    ? "kb:GraphPattern"
                                   : result_role ? "kb:ResultGraphPattern"
                                                 : "kb:ArgumentGraphPattern") +
                                  " for one knowledge interaction",
                              at);
    }
    GRIDKE_ASSIGN_OR_RETURN(auto text, single_literal(node, kb_ns + "hasPattern"));
    if (!text) {
      return invalid_argument("missing pattern: a kb:hasGraphPattern node has no kb:hasPattern",
                              at);
    }
    GRIDKE_ASSIGN_OR_RETURN(auto gp, parse_pattern(text->value(), source));
    target = std::move(gp);
  }
  if (ask_answer && !c.ki.pattern) {
    return invalid_argument("missing pattern: an " + kind_name +
                                " needs kb:hasGraphPattern [ a kb:GraphPattern ; kb:hasPattern "
                                "\"\"\"...\"\"\" ]",
                            where(kind_iri_));
  }
  if (!ask_answer && !c.ki.pattern && !c.ki.result_pattern) {
    return invalid_argument("missing pattern: a " + kind_name +
                                " needs kb:hasGraphPattern [ a kb:ArgumentGraphPattern ; "
                                "kb:hasPattern \"\"\"...\"\"\" ] (and optionally a "
                                "kb:ResultGraphPattern)",
                            where(kind_iri_));
  }
  return ok();
}

Result<void> Builder::read_act(const Term& subject, Contract& c) const {
  const std::string has_act = kb_ns + "hasCommunicativeAct";
  auto acts = objects(subject, has_act);
  if (acts.empty()) return ok();
  if (acts.size() > 1) {
    return invalid_argument(
        "kb:hasCommunicativeAct is given " + std::to_string(acts.size()) + " times; give it once",
        where(has_act, 1));
  }
  auto purposes = [&](const std::string& p) {
    std::vector<std::string> out;
    for (const Term& o : objects(acts[0], p)) {
      if (o.is_iri()) {
        out.push_back(o.value());
        continue;
      }
      for (const Term& type : objects(o, std::string(rdf::vocab::rdf_type))) {
        out.push_back(type.value());
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  c.ki.act.required_purposes = purposes(kb_ns + "hasRequirement");
  c.ki.act.satisfied_purposes = purposes(kb_ns + "hasSatisfaction");
  if (c.ki.act.required_purposes.empty() || c.ki.act.satisfied_purposes.empty()) {
    return invalid_argument(
        "the communicative act needs at least one purpose in both kb:hasRequirement and "
        "kb:hasSatisfaction, e.g. kb:hasRequirement [ a kb:InformPurpose ]",
        where(has_act));
  }
  return ok();
}

Result<void> Builder::read_options(const Term& subject, Contract& c) const {
  auto boolean = [&](const std::string& p) -> Result<std::optional<bool>> {
    GRIDKE_ASSIGN_OR_RETURN(auto v, single_literal(subject, p));
    if (!v) return std::optional<bool>{};
    if (v->datatype() != rdf::vocab::xsd_boolean || !v->is_well_typed()) {
      return invalid_argument(shown(p) + " must be true or false, not " + v->to_string(), where(p));
    }
    return std::optional<bool>{v->value() == "true" || v->value() == "1"};
  };
  const std::string level_p = gkc_ns + "matchLevel";
  GRIDKE_ASSIGN_OR_RETURN(auto level, single_literal(subject, level_p));
  if (level) {
    const std::string& lex = level->value();
    bool digit = lex.size() == 1 && lex[0] >= '1' && lex[0] <= '5';
    if (level->datatype() != rdf::vocab::xsd_integer || !digit) {
      return invalid_argument(
          "gkc:matchLevel must be an integer from 1 to 5, not " + level->to_string(),
          where(level_p));
    }
    c.ki.match_level = lex[0] - '0';
  }
  const std::string gaps_p = gkc_ns + "knowledgeGapsEnabled";
  GRIDKE_ASSIGN_OR_RETURN(auto gaps, boolean(gaps_p));
  if (gaps) {
    if (*gaps && c.ki.kind != ki::KiKind::ask) {
      return invalid_argument(
          "gkc:knowledgeGapsEnabled applies only to ASK knowledge "
          "interactions, not to " +
              std::string(ki::to_string(c.ki.kind)),
          where(gaps_p));
    }
    c.ki.knowledge_gaps_enabled = *gaps;
  }
  GRIDKE_ASSIGN_OR_RETURN(auto meta, boolean(gkc_ns + "includeMetaKIs"));
  if (meta) c.ki.include_meta_kis = *meta;
  return ok();
}

Result<void> Builder::read_examples(const Term& subject, Contract& c) const {
  struct Which {
    std::string property;
    const std::optional<pattern::GraphPattern>* pattern;
    pattern::BindingSet* out;
    const char* pattern_name;
  };
  const Which whiches[] = {
      {gkc_ns + "exampleBindings", &c.ki.pattern, &c.example_bindings,
       c.ki.kind == ki::KiKind::ask || c.ki.kind == ki::KiKind::answer ? "graph pattern"
                                                                       : "argument pattern"},
      {gkc_ns + "exampleResultBindings", &c.ki.result_pattern, &c.example_result_bindings,
       "result pattern"},
  };
  for (const auto& w : whiches) {
    GRIDKE_ASSIGN_OR_RETURN(auto lit, single_literal(subject, w.property));
    if (!lit) continue;
    if (!*w.pattern) {
      return invalid_argument(shown(w.property) + " is given but the KI has no " + w.pattern_name,
                              where(w.property));
    }
    TextPosition start;
    bool located = false;
    if (const auto* tok = text_.find_string(lit->value())) {
      start = tok->value_start;
      located = true;
    }
    std::string at = located ? location_string(file_, start) : where(w.property);
    auto to_location = [&](std::size_t offset) {
      return located ? location_string(file_, detail::advance(start, lit->value(), offset))
                     : where(w.property);
    };
    GRIDKE_ASSIGN_OR_RETURN(
        *w.out, detail::parse_example_bindings(lit->value(), shown(w.property), to_location));
    auto complete = pattern::check_complete(*w.out, **w.pattern);
    if (!complete) {
      return invalid_argument(shown(w.property) + " is not complete for the " + w.pattern_name +
                                  ": " + complete.error().message(),
                              at);
    }
  }
  return ok();
}

Result<Contract> Builder::build() {
  GRIDKE_TRY(check_properties());
  Contract c;
  c.file = file_;
  ki::KiKind kind = ki::KiKind::ask;
  GRIDKE_ASSIGN_OR_RETURN(Term subject, find_subject(kind));
  c.ki.kind = kind;
  kind_iri_ = kb_ns + std::string(ki::to_string(kind));

  const std::string name_p = gkc_ns + "name";
  GRIDKE_ASSIGN_OR_RETURN(auto name, single_literal(subject, name_p));
  if (!name) {
    return invalid_argument(
        "missing gkc:name: every contract names its KI, e.g. gkc:name "
        "\"answer-temperature\"",
        where(kind_iri_));
  }
  c.name = name->value();
  bool name_ok = !c.name.empty() && std::all_of(c.name.begin(), c.name.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-';
  });
  if (!name_ok) {
    return invalid_argument("gkc:name \"" + c.name +
                                "\" is not a KI name: use letters, digits and '-' only "
                                "([a-zA-Z0-9-]+)",
                            where(name_p));
  }
  c.ki.name = c.name;
  GRIDKE_ASSIGN_OR_RETURN(auto service, single_literal(subject, gkc_ns + "service"));
  c.service = service ? service->value() : file_.parent_path().filename().string();
  GRIDKE_ASSIGN_OR_RETURN(auto comment, single_literal(subject, rdfs_comment));
  if (comment) c.comment = comment->value();

  c.ki.prefixes = pattern::PrefixMap(graph_.prefixes().begin(), graph_.prefixes().end());
  GRIDKE_TRY(read_patterns(subject, c));
  GRIDKE_TRY(read_act(subject, c));
  GRIDKE_TRY(read_options(subject, c));
  if (auto valid = c.ki.validate(); !valid) {
    return Error(valid.error().code(), valid.error().message(), where(kind_iri_));
  }
  GRIDKE_TRY(read_examples(subject, c));
  return c;
}

}  // namespace

std::string PatternSource::file_location(const std::filesystem::path& file, int pattern_line,
                                         int pattern_column) const {
  int l = line > 0 ? line + pattern_line - 1 : pattern_line;
  int col = line > 0 && pattern_line == 1 ? column + pattern_column - 1 : pattern_column;
  return file.string() + ":" + std::to_string(l) + ":" + std::to_string(col);
}

Result<Contract> load_contract(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
      return not_found("no such contract file: " + file.string());
    }
    return unavailable("cannot read contract file: " + file.string());
  }
  std::ostringstream text;
  text << in.rdbuf();
  GRIDKE_ASSIGN_OR_RETURN(auto graph, rdf::Graph::parse_file(file, rdf::Syntax::turtle));
  return Builder(graph, text.str(), file).build();
}

Result<Contract> parse_contract(std::string_view text, const std::filesystem::path& display_name) {
  auto graph = rdf::Graph::parse_string(text, rdf::Syntax::turtle);
  if (!graph) {
    // Serd names a string input "<string>"; name it as the caller asked.
    std::string loc = graph.error().location();
    const std::string generic = "<string>";
    if (loc.rfind(generic, 0) == 0) loc = display_name.string() + loc.substr(generic.size());
    return Error(graph.error().code(), graph.error().message(), loc);
  }
  return Builder(*graph, text, display_name).build();
}

Result<void> ContractSet::add(Contract contract) {
  if (auto it = contracts_.find(contract.name); it != contracts_.end()) {
    return already_exists("duplicate contract name '" + contract.name +
                              "': " + it->second.file.string() + " and " + contract.file.string() +
                              " both declare it; names are unique per knowledge base",
                          contract.file.string());
  }
  std::string name = contract.name;
  contracts_.emplace(std::move(name), std::move(contract));
  return ok();
}

const Contract* ContractSet::find(std::string_view name) const {
  auto it = contracts_.find(name);
  return it == contracts_.end() ? nullptr : &it->second;
}

Result<const Contract*> ContractSet::get(std::string_view name) const {
  if (const Contract* c = find(name)) return c;
  std::string known;
  for (const auto& [n, c] : contracts_) known += (known.empty() ? "" : ", ") + n;
  return not_found("no contract named '" + std::string(name) +
                   "' (loaded: " + (known.empty() ? "none" : known) + ")");
}

std::vector<const Contract*> ContractSet::contracts() const {
  std::vector<const Contract*> out;
  out.reserve(contracts_.size());
  for (const auto& [n, c] : contracts_) out.push_back(&c);
  return out;
}

namespace {

Result<std::vector<std::filesystem::path>> contract_files(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return not_found("no such contract folder: " + dir.string());
  }
  std::vector<std::filesystem::path> files;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().extension() == ".ttl") files.push_back(it->path());
  }
  if (ec) return unavailable("cannot list contract folder " + dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

Result<ContractSet> load_contracts(const std::filesystem::path& dir) {
  GRIDKE_ASSIGN_OR_RETURN(auto files, contract_files(dir));
  ContractSet set;
  for (const auto& f : files) {
    GRIDKE_ASSIGN_OR_RETURN(auto c, load_contract(f));
    GRIDKE_TRY(set.add(std::move(c)));
  }
  return set;
}

Result<ContractLoadReport> load_contracts_collecting(const std::filesystem::path& dir) {
  GRIDKE_ASSIGN_OR_RETURN(auto files, contract_files(dir));
  ContractLoadReport report;
  for (const auto& f : files) {
    auto c = load_contract(f);
    if (!c) {
      report.errors.push_back(c.error());
      continue;
    }
    if (auto added = report.contracts.add(std::move(c).value()); !added) {
      report.errors.push_back(added.error());
    }
  }
  return report;
}

}  // namespace gridke::adapter
