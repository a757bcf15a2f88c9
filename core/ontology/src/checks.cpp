#include "checks.hpp"

#include <algorithm>
#include <numeric>

#include "gridke/rdf/vocabulary.hpp"
#include "namespaces.hpp"
#include "text_util.hpp"

namespace gridke::ontology::detail {
namespace {

constexpr std::string_view rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
using rdf::vocab::xsd;
constexpr std::string_view saref_is_measured_in = "https://saref.etsi.org/core/isMeasuredIn";
constexpr std::string_view saref_unit = "https://saref.etsi.org/core/UnitOfMeasure";
constexpr std::string_view om_has_unit =
    "http://www.ontology-of-units-of-measure.org/resource/om-2/hasUnit";
constexpr std::string_view om_unit =
    "http://www.ontology-of-units-of-measure.org/resource/om-2/Unit";
constexpr std::string_view owl_thing = "http://www.w3.org/2002/07/owl#Thing";
constexpr std::string_view rdfs_resource = "http://www.w3.org/2000/01/rdf-schema#Resource";

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

class PatternChecker {
 public:
  PatternChecker(const Ontology& o, const PatternUnit& u, FileMemo& memo, std::vector<Finding>& out)
      : o_(o), u_(u), memo_(memo), out_(out) {}

  PatternFacts run() {
    PatternFacts facts;
    auto scan = scan_pattern(u_.text, u_.prefixes);
    if (scan.error) {
      add(scan.error_offset, Severity::error, "ke-syntax",
          "the " + u_.role + " is not a basic graph pattern: " + *scan.error,
          "write triples `subject predicate object .` only (no FILTER, OPTIONAL, UNION, {}, [])");
      return facts;
    }
    facts.scanned = true;
    facts.triples = scan.triples;
    if (facts.triples.empty()) {
      add(0, Severity::error, "ke-syntax", "the " + u_.role + " is empty",
          "give at least one triple");
      return facts;
    }
    for (const auto& t : facts.triples) collect_types(t);
    for (const auto& t : facts.triples) check_triple(t, facts);
    check_literal_subjects(facts);
    check_domain_range(facts);
    check_connected(facts);
    return facts;
  }

 private:
  void add(std::size_t offset, Severity sev, std::string check, std::string message,
           std::string fix) {
    int pl = 1;
    int pc = 1;
    line_col(u_.text, offset, pl, pc);
    Finding f;
    f.file = u_.file;
    f.line = u_.origin_line + pl - 1;
    f.column = pl == 1 ? u_.origin_column + pc - 1 : pc;
    f.severity = sev;
    f.check = std::move(check);
    f.message = std::move(message);
    f.fix = std::move(fix);
    out_.push_back(std::move(f));
  }

  void add_at(int line, int column, Severity sev, std::string check, std::string message,
              std::string fix) {
    out_.push_back(
        {u_.file, line, column, sev, std::move(check), std::move(message), std::move(fix)});
  }

  std::string c(std::string_view iri) const { return compact(iri, u_.prefixes); }

  void collect_types(const ScannedTriple& t) {
    if (t.predicate.is_iri() && t.predicate.value == rdf_type && t.object.is_iri() &&
        !t.object.unresolved) {
      const TermInfo* info = o_.find(t.object.value);
      if (info != nullptr && info->is_class()) {
        const std::string key = node_key(t.subject);
        auto& v = types_[key];
        if (std::find(v.begin(), v.end(), t.object.value) == v.end()) v.push_back(t.object.value);
      }
    }
  }

  static std::string node_key(const ScannedTerm& t) {
    switch (t.kind) {
      case ScannedTerm::Kind::variable: return "?" + t.value;
      case ScannedTerm::Kind::blank: return "_:" + t.value;
      case ScannedTerm::Kind::literal: return "\"" + t.value + "\"";
      case ScannedTerm::Kind::iri: break;
    }
    return "<" + t.value + ">";
  }

  // Reports prefix and namespace problems of an IRI term; returns false when the term's
  // namespace is broken (so no term-level check should follow).
  bool check_namespace(const ScannedTerm& t) {
    if (t.unresolved) {
      const std::string key = "prefix:" + t.prefix;
      if (memo_.reported.insert(key).second) {
        auto known = namespace_of_prefix(t.prefix);
        add(t.offset, Severity::error, "undeclared-prefix",
            "prefix '" + t.prefix + ":' is not declared (in " + t.written + ")",
            known ? "declare it: @prefix " + t.prefix + ": <" + std::string(*known) + "> ."
                  : "declare the prefix with @prefix " + t.prefix + ": <namespace> .");
      }
      return false;
    }
    std::string ns;
    if (t.is_pname) {
      ns = u_.prefixes.at(t.prefix);
    } else {
      ns = std::string(split_iri(t.value).first);
    }
    auto intended = near_miss_namespace(ns, o_);
    if (!intended) return true;
    const std::string key = "ns:" + ns;
    if (memo_.reported.insert(key).second) {
      if (t.is_pname && u_.prefix_positions.count(t.prefix) != 0) {
        const auto [line, col] = u_.prefix_positions.at(t.prefix);
        add_at(line, col, Severity::error, "near-miss-namespace",
               "prefix '" + t.prefix + ":' is bound to <" + ns +
                   ">, which is no known namespace; " + "it looks like a mistyped <" + *intended +
                   ">",
               "write @prefix " + t.prefix + ": <" + *intended + "> .");
      } else {
        add(t.offset, Severity::error, "near-miss-namespace",
            t.written + " is in namespace <" + ns + ">, which looks like a mistyped <" + *intended +
                ">",
            t.is_pname ? "write @prefix " + t.prefix + ": <" + *intended + "> ."
                       : "use <" + *intended + std::string(split_iri(t.value).second) + ">");
      }
    }
    return false;
  }

  // Unknown, unchecked or deprecated term; returns the declaration or nullptr.
  const TermInfo* check_term(const ScannedTerm& t, bool schema_position) {
    if (!t.is_iri()) return nullptr;
    if (!check_namespace(t)) return nullptr;
    const TermInfo* info = o_.find(t.value);
    const auto [ns, local] = split_iri(t.value);
    if (info == nullptr) {
      if (o_.is_checked_namespace(std::string(ns))) {
        auto sugg = o_.suggestions(ns, local);
        std::string fix;
        if (!sugg.empty()) {
          fix = "did you mean " + c(sugg[0]);
          for (std::size_t i = 1; i < sugg.size(); ++i)
            fix += (i + 1 == sugg.size() ? " or " : ", ") + c(sugg[i]);
          fix += "?";
        } else {
          fix = "use a term the ontology declares, or declare " + c(t.value) +
                " in your extension ontology (--ontology FILE)";
        }
        add(t.offset, Severity::error, "unknown-term",
            c(t.value) + " is not declared in the loaded ontologies (" + std::string(ns) + ")",
            fix);
      } else if (schema_position) {
        const std::string key = "unchecked:" + std::string(ns);
        if (memo_.reported.insert(key).second) {
          const bool known = is_known_namespace(ns);
          add(t.offset, known ? Severity::note : Severity::warning, "unchecked-namespace",
              "no loaded ontology declares terms of <" + std::string(ns) +
                  "> (first use: " + t.written + "), so its terms cannot be checked",
              "load the ontology of this namespace with --ontology FILE");
        }
      } else {
        add(t.offset, Severity::warning, "placeholder-iri",
            "fixed IRI " + t.written +
                " is declared in no loaded ontology: every row will share "
                "this one node (the KE FAQ's placeholder pitfall)",
            "use a variable, or an individual declared in an ontology (e.g. s4grid:Voltage)");
      }
      return nullptr;
    }
    if (info->deprecated) {
      add(t.offset, Severity::warning, "deprecated-term",
          c(t.value) + " is deprecated (owl:deprecated)",
          info->replaced_by.empty() ? "use the term the ontology recommends instead"
                                    : "use " + c(info->replaced_by));
    } else if (!info->deprecated_in.empty() || !info->removed_in.empty()) {
      std::string when;
      if (!info->deprecated_in.empty()) when = "deprecated in SAREF " + info->deprecated_in;
      if (!info->removed_in.empty())
        when += (when.empty() ? "" : " and ") + std::string("removed in SAREF ") + info->removed_in;
      add(t.offset, Severity::note, "deprecated-term",
          c(t.value) + " is " + when + " (fine for the InterConnect profile, SAREF core v3.1.1)",
          info->replaced_by.empty()
              ? "for SAREF v4 peers, remodel with saref:Observation/saref:PropertyValue"
              : "for SAREF v4 peers, use " + c(info->replaced_by));
    }
    return info;
  }

  bool is_unit_property(const std::string& p) const {
    return o_.is_subproperty_of(p, saref_is_measured_in) || o_.is_subproperty_of(p, om_has_unit);
  }

  bool is_unit_individual(const std::string& iri) const {
    const auto classes = o_.classes_of_individual(iri);
    return classes.count(std::string(saref_unit)) != 0 || classes.count(std::string(om_unit)) != 0;
  }

  void check_triple(const ScannedTriple& t, PatternFacts& facts) {
    if (t.subject.is_literal()) {
      add(t.subject.offset, Severity::error, "literal-subject",
          "literal " + t.subject.written + " in subject position",
          "subjects must be IRIs or variables");
    }
    check_term(t.subject, false);
    if (t.predicate.is_variable()) {
      add(t.predicate.offset, Severity::warning, "variable-predicate",
          "variable predicate " + t.predicate.written +
              " matches any property and cannot be checked "
              "(the KE FAQ advises against ?s ?p ?o patterns)",
          "name the property");
    }
    const bool is_type = t.predicate.is_iri() && t.predicate.value == rdf_type;
    const TermInfo* p = t.predicate.is_iri() ? check_term(t.predicate, true) : nullptr;
    const TermInfo* obj = check_term(t.object, is_type);

    if (p != nullptr && !p->is_property() && !is_type) {
      add(t.predicate.offset, Severity::error, "term-kind",
          c(p->iri) + " is " + (p->is_class() ? "a class" : "an individual") + ", not a property",
          p->is_class() ? "state a class with `?x a " + c(p->iri) + "`; use a property here"
                        : "use a property here");
    }
    // Variable facts for literal-subject and example-binding checks.
    if (t.subject.is_variable()) {
      auto& v = facts.variables[t.subject.value];
      v.subject = true;
      if (!first_subject_.count(t.subject.value))
        first_subject_[t.subject.value] = t.subject.offset;
    }
    if (t.object.is_variable()) {
      auto& v = facts.variables[t.object.value];
      if (is_type) v.needs_iri = true;
      if (p != nullptr && p->is(TermKindBits::object_property)) v.needs_iri = true;
      if (p != nullptr && p->is(TermKindBits::datatype_property)) {
        v.literal = true;
        literal_source_.try_emplace(t.object.value, c(p->iri));
        for (const auto& r : o_.ranges_of(p->iri)) {
          for (const auto& d : r) {
            if (starts_with(d, xsd)) v.literal_ranges.push_back(d);
          }
        }
      }
    }
    if (t.predicate.is_variable()) facts.variables[t.predicate.value].needs_iri = true;

    if (is_type) {
      check_type_object(t, obj);
      return;
    }
    if (p == nullptr) return;
    if (p->is(TermKindBits::datatype_property) && t.object.is_iri()) {
      add(t.object.offset, Severity::error, "term-kind",
          c(p->iri) + " is a datatype property but its object " + t.object.written + " is an IRI",
          "give a literal or a variable bound to a literal");
    }
    if (p->is(TermKindBits::object_property) && t.object.is_literal()) {
      add(t.object.offset, Severity::error, "term-kind",
          c(p->iri) + " is an object property but its object " + t.object.written + " is a literal",
          "give an IRI or a variable bound to an IRI");
    }
    if (t.object.is_literal()) check_fixed_literal(t, *p);
    if (is_unit_property(p->iri) && t.object.is_iri() && obj != nullptr) {
      if (!is_unit_individual(obj->iri)) {
        add(t.object.offset, Severity::error, "unit-individual",
            "the object of " + c(p->iri) + " must be a unit individual, but " + c(obj->iri) +
                " is " + (obj->is_class() ? "a class (a kind of unit)" : "not typed as a unit"),
            "use a unit individual such as om:degreeCelsius, om:volt or om:kilowatt");
      }
    } else if (t.object.is_iri() && obj != nullptr && obj->is_class() && !obj->is_individual() &&
               !p->is(TermKindBits::annotation_property)) {
      add(t.object.offset, Severity::warning, "class-as-value",
          c(obj->iri) + " is a class used as the value of " + c(p->iri),
          "use an individual of " + c(obj->iri) + ", or a variable typed with `a " + c(obj->iri) +
              "`");
    }
  }

  void check_type_object(const ScannedTriple& t, const TermInfo* obj) {
    if (t.object.is_variable()) return;
    if (t.object.is_literal()) {
      add(t.object.offset, Severity::error, "term-kind",
          "rdf:type object " + t.object.written + " is a literal",
          "the object of rdf:type must be a class");
      return;
    }
    if (obj == nullptr) return;
    if (obj->is_datatype()) {
      add(t.object.offset, Severity::error, "term-kind",
          c(obj->iri) + " is a datatype, not a class: rdf:type cannot type a literal",
          "drop this triple; put the datatype in the binding value, e.g. \"1.5\"^^" + c(obj->iri));
    } else if (!obj->is_class()) {
      std::string what = obj->is_property() ? "a property" : "an individual";
      if (obj->is_individual() && is_unit_individual(obj->iri)) what = "a unit individual";
      add(t.object.offset, Severity::error, "term-kind",
          c(obj->iri) + " is " + what + ", not a class, so it cannot be the object of rdf:type",
          obj->is_individual() && is_unit_individual(obj->iri)
              ? "state the unit as a value: `?m saref:isMeasuredIn " + c(obj->iri) +
                    "` or `om:hasUnit " + c(obj->iri) + "`"
              : "use a class, or relate to " + c(obj->iri) + " with a property");
    }
  }

  void check_fixed_literal(const ScannedTriple& t, const TermInfo& p) {
    rdf::Term lit = rdf::Term::literal(t.object.value, t.object.datatype, t.object.language);
    if (!lit.is_well_typed()) {
      add(t.object.offset, Severity::error, "literal-value",
          "literal " + t.object.written + " is not a valid " + c(t.object.datatype),
          "write a value in the lexical form of " + c(t.object.datatype));
    }
    for (const auto& r : o_.ranges_of(p.iri)) {
      if (r.size() == 1 && starts_with(r[0], xsd) &&
          !datatype_fits(t.object.datatype, r[0], t.object.value)) {
        add(t.object.offset, Severity::error, "literal-value",
            "literal " + t.object.written + " has datatype " + c(t.object.datatype) +
                " but the range of " + c(p.iri) + " is " + c(r[0]),
            "write the literal as " + c(r[0]));
      }
    }
  }

  void check_literal_subjects(const PatternFacts& facts) {
    for (const auto& [name, v] : facts.variables) {
      if (!v.subject) continue;
      auto src = literal_source_.find(name);
      if (src == literal_source_.end()) continue;
      add(first_subject_.at(name), Severity::error, "literal-subject",
          "?" + name + " is the object of the datatype property " + src->second +
              ", so it holds a literal, but it is used as a subject (the KE rejects literal "
              "subjects)",
          "remove the triples with ?" + name +
              " as subject; give the datatype in the binding value");
    }
  }

  bool compatible(const std::string& cls, const ClassUnion& domain) const {
    for (const auto& d : domain) {
      if (d == owl_thing || d == rdfs_resource) return true;
      if (o_.is_subclass_of(cls, d) || o_.is_subclass_of(d, cls)) return true;
    }
    return false;
  }

  static std::string union_text(const ClassUnion& u, const pattern::PrefixMap& pm) {
    std::string s;
    for (const auto& d : u) s += (s.empty() ? "" : " or ") + compact(d, pm);
    return s;
  }

  // Classes a pattern node is stated or declared to belong to.
  std::vector<std::string> classes_of(const ScannedTerm& node) const {
    if (node.is_iri()) {
      const TermInfo* info = o_.find(node.value);
      if (info != nullptr && !info->types.empty()) return info->types;
      return {};
    }
    auto it = types_.find(node_key(node));
    return it == types_.end() ? std::vector<std::string>{} : it->second;
  }

  void check_domain_range(const PatternFacts& facts) {
    for (const auto& t : facts.triples) {
      if (!t.predicate.is_iri() || t.predicate.value == rdf_type) continue;
      const TermInfo* p = o_.find(t.predicate.value);
      if (p == nullptr) continue;
      const auto subject_classes = classes_of(t.subject);
      for (const auto& d : o_.domains_of(p->iri)) {
        if (subject_classes.empty()) break;
        bool ok = false;
        for (const auto& cls : subject_classes) ok = ok || compatible(cls, d);
        if (!ok) {
          add(t.predicate.offset, Severity::warning, "domain-range",
              "the domain of " + c(p->iri) + " is " + union_text(d, u_.prefixes) + ", but " +
                  t.subject.written + " is a " + c(subject_classes[0]),
              "use a property whose domain fits " + c(subject_classes[0]) +
                  ", or check the subject's type");
        }
      }
      if (t.object.is_literal()) continue;
      const auto object_classes = classes_of(t.object);
      for (const auto& r : o_.ranges_of(p->iri)) {
        if (object_classes.empty() || (r.size() == 1 && starts_with(r[0], xsd))) break;
        bool ok = false;
        for (const auto& cls : object_classes) ok = ok || compatible(cls, r);
        if (!ok) {
          add(t.object.offset, Severity::warning, "domain-range",
              "the range of " + c(p->iri) + " is " + union_text(r, u_.prefixes) + ", but " +
                  t.object.written + " is a " + c(object_classes[0]),
              "use an object of type " + union_text(r, u_.prefixes) + ", or another property");
        }
      }
    }
  }

  void check_connected(const PatternFacts& facts) {
    const auto n = facts.triples.size();
    std::vector<std::size_t> parent(n);
    std::iota(parent.begin(), parent.end(), 0);
    auto find = [&](std::size_t x) {
      while (parent[x] != x) x = parent[x] = parent[parent[x]];
      return x;
    };
    std::set<std::string> subjects;
    for (const auto& t : facts.triples) subjects.insert(node_key(t.subject));
    std::map<std::string, std::size_t> owner;
    auto join = [&](const std::string& key, std::size_t i) {
      auto [it, inserted] = owner.emplace(key, i);
      if (!inserted) parent[find(i)] = find(it->second);
    };
    for (std::size_t i = 0; i < n; ++i) {
      const auto& t = facts.triples[i];
      join(node_key(t.subject), i);
      const std::string ok = node_key(t.object);
      if (!t.object.is_literal() && (!t.object.is_iri() || subjects.count(ok) != 0)) join(ok, i);
      if (t.predicate.is_variable()) join(node_key(t.predicate), i);
    }
    std::vector<std::size_t> roots;
    for (std::size_t i = 0; i < n; ++i) {
      if (std::find(roots.begin(), roots.end(), find(i)) == roots.end()) roots.push_back(find(i));
    }
    if (roots.size() < 2) return;
    std::size_t second = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (find(i) == roots[1]) {
        second = i;
        break;
      }
    }
    add(facts.triples[second].subject.offset, Severity::warning, "disconnected",
        "the " + u_.role + " falls apart into " + std::to_string(roots.size()) +
            " unconnected parts (this triple starts part 2); the KE joins them as a cross product",
        "connect the parts through a shared variable, or split them into separate KIs");
  }

  const Ontology& o_;
  const PatternUnit& u_;
  FileMemo& memo_;
  std::vector<Finding>& out_;
  std::map<std::string, std::vector<std::string>> types_;
  std::map<std::string, std::string> literal_source_;
  std::map<std::string, std::size_t> first_subject_;

 public:
  static bool datatype_fits(const std::string& dt, const std::string& range,
                            const std::string& lexical) {
    if (dt == range) return true;
    auto local = [](const std::string& s) { return s.substr(xsd.size()); };
    if (!starts_with(dt, xsd) || !starts_with(range, xsd)) return false;
    static const std::set<std::string> integers = {"integer",
                                                   "long",
                                                   "int",
                                                   "short",
                                                   "byte",
                                                   "nonNegativeInteger",
                                                   "positiveInteger",
                                                   "nonPositiveInteger",
                                                   "negativeInteger",
                                                   "unsignedLong",
                                                   "unsignedInt",
                                                   "unsignedShort",
                                                   "unsignedByte"};
    static const std::set<std::string> numbers = {"decimal", "double", "float"};
    const std::string d = local(dt);
    const std::string r = local(range);
    const bool d_num = integers.count(d) != 0 || numbers.count(d) != 0;
    if (numbers.count(r) != 0) return d_num;
    if (integers.count(r) != 0) return integers.count(d) != 0;
    if (r == "dateTimeStamp" && d == "dateTime") {
      return !lexical.empty() && (lexical.back() == 'Z' ||
                                  (lexical.size() > 6 && (lexical[lexical.size() - 6] == '+' ||
                                                          lexical[lexical.size() - 6] == '-')));
    }
    if (r == "dateTime" && d == "dateTimeStamp") return true;
    if (r == "duration" && (d == "dayTimeDuration" || d == "yearMonthDuration")) return true;
    return false;
  }
};

}  // namespace

std::string compact(std::string_view iri, const pattern::PrefixMap& prefixes) {
  std::string best;
  std::size_t best_len = 0;
  auto consider = [&](std::string_view prefix, std::string_view ns) {
    if (ns.size() > best_len && iri.size() > ns.size() && iri.substr(0, ns.size()) == ns) {
      const auto local = iri.substr(ns.size());
      if (local.find_first_of("/#") != std::string_view::npos) return;
      best = std::string(prefix) + ":" + std::string(local);
      best_len = ns.size();
    }
  };
  for (const auto& [p, ns] : prefixes) consider(p, ns);
  if (best.empty()) {
    for (const auto& k : known_namespaces()) consider(k.prefix, k.iri);
  }
  return best.empty() ? "<" + std::string(iri) + ">" : best;
}

PatternFacts check_pattern(const Ontology& ontology, const PatternUnit& unit, FileMemo& memo,
                           std::vector<Finding>& findings) {
  return PatternChecker(ontology, unit, memo, findings).run();
}

void check_bindings(const Ontology& ontology, const PatternFacts& facts,
                    const pattern::BindingSet& bindings, const std::string& file, int line,
                    int column, std::string_view what, std::vector<Finding>& findings) {
  (void)ontology;
  std::set<std::string> reported;
  int row = 0;
  for (const auto& b : bindings) {
    ++row;
    for (const auto& [name, value] : b.values()) {
      auto it = facts.variables.find(name);
      if (it == facts.variables.end()) continue;
      const VariableFacts& v = it->second;
      std::string problem;
      std::string fix;
      if ((v.subject || v.needs_iri) && !value.is_iri()) {
        problem = "?" + name + " must be an IRI (it is " +
                  (v.subject ? std::string("a subject")
                             : std::string("the object of an object property")) +
                  ") but the example gives " + value.to_string();
        fix = "give an IRI such as <https://dso.example.org/...>";
      } else if (v.literal && !value.is_literal()) {
        problem = "?" + name + " is the object of a datatype property but the example gives " +
                  value.to_string();
        fix = "give a literal, e.g. \"1.5\"^^<http://www.w3.org/2001/XMLSchema#decimal>";
      } else if (value.is_literal() && !value.is_well_typed()) {
        problem = "?" + name + " = " + value.to_string() + " is not a valid value of its datatype";
        fix = "write the value in the datatype's lexical form";
      } else if (value.is_literal()) {
        for (const auto& r : v.literal_ranges) {
          if (!PatternChecker::datatype_fits(value.datatype(), r, value.value())) {
            problem = "?" + name + " = " + value.to_string() + " does not fit the property range " +
                      compact(r, {});
            fix = "give a " + compact(r, {}) + " literal";
            break;
          }
        }
      }
      if (problem.empty() || !reported.insert(name).second) continue;
      findings.push_back({file, line, column, Severity::error, "example-binding",
                          std::string(what) + " row " + std::to_string(row) + ": " + problem, fix});
    }
  }
}

}  // namespace gridke::ontology::detail
