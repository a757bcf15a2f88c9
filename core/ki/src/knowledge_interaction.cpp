#include "gridke/ki/knowledge_interaction.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "gridke/rdf/vocabulary.hpp"

namespace gridke::ki {
namespace {

constexpr std::array<std::pair<KiKind, std::string_view>, 4> kind_names{{
    {KiKind::ask, "AskKnowledgeInteraction"},
    {KiKind::answer, "AnswerKnowledgeInteraction"},
    {KiKind::post, "PostKnowledgeInteraction"},
    {KiKind::react, "ReactKnowledgeInteraction"},
}};

// The purpose hierarchy of `knowledge-engine-ontology.ttl` (TNO KE 1.5), as (class, direct
// superclass) pairs. Every purpose is an rdfs:subClassOf :Purpose; New/Changed/Removed/Retrieve
// are subclasses of :InformPurpose. The compatibility check is RDFS subclass reasoning over
// exactly these axioms (TNO issue #129 replaced OWL by RDFS-simple reasoning for speed).
constexpr std::string_view ke_ns = rdf::vocab::ke;
struct SubClassAxiom {
  std::string_view local_name;
  std::string_view super_local_name;
};
constexpr std::array<SubClassAxiom, 9> purpose_axioms{{
    {"InformPurpose", "Purpose"},
    {"NewKnowledgePurpose", "InformPurpose"},
    {"ChangedKnowledgePurpose", "InformPurpose"},
    {"RemovedKnowledgePurpose", "InformPurpose"},
    {"RetrieveKnowledgePurpose", "InformPurpose"},
    {"ActuationPurpose", "Purpose"},
    {"ConversionPurpose", "Purpose"},
    {"PeriodicPurpose", "Purpose"},
    {"WhenChangedPurpose", "Purpose"},
}};

// The direct superclass of a KE purpose IRI, or empty for :Purpose and unknown IRIs.
std::string super_purpose(std::string_view iri) {
  if (iri.substr(0, ke_ns.size()) != ke_ns) return {};
  const std::string_view local = iri.substr(ke_ns.size());
  for (const auto& axiom : purpose_axioms) {
    if (axiom.local_name == local) return std::string(ke_ns) + std::string(axiom.super_local_name);
  }
  return {};
}

// True when `sub` is `super` or one of its (transitive) subclasses.
bool is_subclass_of(std::string_view sub, std::string_view super) {
  std::string current(sub);
  // The hierarchy is three levels deep; the bound only guards against a cyclic table edit.
  for (int depth = 0; depth < 8 && !current.empty(); ++depth) {
    if (current == super) return true;
    current = super_purpose(current);
  }
  return false;
}

// Every required purpose is satisfied by some satisfied purpose of the other side: the
// satisfied purpose must be the required one or a subclass of it (a NewKnowledgePurpose
// satisfies a requirement for InformPurpose, not the other way round). This is the KE's check
// "every inferred type of the requirement node is also a type of the satisfaction node".
bool requirements_met(const std::vector<std::string>& required,
                      const std::vector<std::string>& satisfied) {
  return std::all_of(required.begin(), required.end(), [&](const std::string& req) {
    return std::any_of(satisfied.begin(), satisfied.end(),
                       [&](const std::string& sat) { return is_subclass_of(sat, req); });
  });
}

bool valid_name(std::string_view name) {
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  });
}

}  // namespace

std::string_view short_name(KiKind kind) noexcept {
  switch (kind) {
    case KiKind::ask: return "ASK";
    case KiKind::answer: return "ANSWER";
    case KiKind::post: return "POST";
    case KiKind::react: return "REACT";
  }
  return "?";
}

std::string_view to_string(KiKind kind) noexcept {
  for (const auto& [k, name] : kind_names) {
    if (k == kind) return name;
  }
  return "UnknownKnowledgeInteraction";
}

std::optional<KiKind> parse_ki_kind(std::string_view text) noexcept {
  for (const auto& [k, name] : kind_names) {
    if (name == text) return k;
  }
  return std::nullopt;
}

CommunicativeAct CommunicativeAct::inform() {
  const std::string inform = std::string(ke_ns) + "InformPurpose";
  return CommunicativeAct{{inform}, {inform}};
}

bool acts_compatible(const CommunicativeAct& proactive, const CommunicativeAct& reactive) {
  return requirements_met(proactive.required_purposes, reactive.satisfied_purposes) &&
         requirements_met(reactive.required_purposes, proactive.satisfied_purposes);
}

Result<void> KnowledgeInteraction::validate() const {
  const std::string what = std::string(to_string(kind));
  if (!valid_name(name)) {
    return invalid_argument("The knowledge interaction name '" + name +
                            "' is invalid: it may only contain the characters a-z, A-Z, 0-9 and "
                            "'-' (pattern [a-zA-Z0-9-]*).");
  }
  const bool ask_like = kind == KiKind::ask || kind == KiKind::answer;
  if (ask_like) {
    if (!pattern) {
      return invalid_argument(std::string("graphPattern must be given for ") +
                              (kind == KiKind::ask ? "ASK" : "ANSWER") +
                              " knowledge interactions.");
    }
    if (result_pattern) {
      return invalid_argument(what +
                              " must not have a resultGraphPattern; only POST and REACT "
                              "knowledge interactions have one.");
    }
  } else if (!pattern && !result_pattern) {
    return invalid_argument(std::string("At least one of argumentGraphPattern and "
                                        "resultGraphPattern must be given for ") +
                            (kind == KiKind::post ? "POST" : "REACT") + " knowledge interactions.");
  }
  if (pattern && pattern->size() == 0) {
    return invalid_argument(what + ": the graph pattern must contain at least one triple.");
  }
  if (result_pattern && result_pattern->size() == 0) {
    return invalid_argument(what + ": the result graph pattern must contain at least one triple.");
  }
  if (act.required_purposes.empty() || act.satisfied_purposes.empty()) {
    return invalid_argument(
        what +
        ": a communicative act needs at least one required and one satisfied purpose "
        "(the default is InformPurpose for both).");
  }
  for (const auto* list : {&act.required_purposes, &act.satisfied_purposes}) {
    for (const auto& purpose : *list) {
      if (purpose.empty() || purpose.find_first_of(" <>\"") != std::string::npos ||
          purpose.find(':') == std::string::npos) {
        return invalid_argument(what + ": the purpose '" + purpose +
                                "' is not an absolute IRI (write it without angle brackets, "
                                "e.g. https://w3id.org/knowledge-engine/InformPurpose).");
      }
    }
  }
  if (match_level && (*match_level < 1 || *match_level > 5)) {
    return invalid_argument("The reasoner level should be between 1 and 5, inclusive and not " +
                            std::to_string(*match_level));
  }
  return ok();
}

KnowledgeInteraction KnowledgeInteraction::ask(pattern::GraphPattern gp, std::string name) {
  KnowledgeInteraction ki;
  ki.kind = KiKind::ask;
  ki.name = std::move(name);
  ki.pattern = std::move(gp);
  return ki;
}

KnowledgeInteraction KnowledgeInteraction::answer(pattern::GraphPattern gp, std::string name) {
  KnowledgeInteraction ki = ask(std::move(gp), std::move(name));
  ki.kind = KiKind::answer;
  return ki;
}

KnowledgeInteraction KnowledgeInteraction::post(std::optional<pattern::GraphPattern> argument,
                                                std::optional<pattern::GraphPattern> result,
                                                std::string name) {
  KnowledgeInteraction ki;
  ki.kind = KiKind::post;
  ki.name = std::move(name);
  ki.pattern = std::move(argument);
  ki.result_pattern = std::move(result);
  return ki;
}

KnowledgeInteraction KnowledgeInteraction::react(std::optional<pattern::GraphPattern> argument,
                                                 std::optional<pattern::GraphPattern> result,
                                                 std::string name) {
  KnowledgeInteraction ki = post(std::move(argument), std::move(result), std::move(name));
  ki.kind = KiKind::react;
  return ki;
}

}  // namespace gridke::ki
