#include "gridke/engine/metadata.hpp"

#include <utility>

namespace gridke::engine::meta {
namespace {

std::string ke(std::string_view local) { return std::string(ke_namespace) + std::string(local); }

const char* suffix(MetaKi which) {
  switch (which) {
    case MetaKi::ask: return "ask";
    case MetaKi::answer: return "answer";
    case MetaKi::post_new: return "post/new";
    case MetaKi::post_changed: return "post/changed";
    case MetaKi::post_removed: return "post/removed";
    case MetaKi::react_new: return "react/new";
    case MetaKi::react_changed: return "react/changed";
    case MetaKi::react_removed: return "react/removed";
  }
  return "";
}

const char* kind_local(ki::KiKind kind) {
  switch (kind) {
    case ki::KiKind::ask: return "AskKnowledgeInteraction";
    case ki::KiKind::answer: return "AnswerKnowledgeInteraction";
    case ki::KiKind::post: return "PostKnowledgeInteraction";
    case ki::KiKind::react: return "ReactKnowledgeInteraction";
  }
  return "";
}

rdf::Term plain(std::string s) { return rdf::Term::literal(std::move(s)); }

}  // namespace

const pattern::PrefixMap& meta_prefixes() {
  static const pattern::PrefixMap prefixes{{"kb", std::string(ke_namespace)},
                                           {"rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}};
  return prefixes;
}

const pattern::GraphPattern& meta_pattern() {
  static const pattern::GraphPattern p = [] {
    auto parsed = pattern::GraphPattern::parse(
        "?kb rdf:type kb:KnowledgeBase . ?kb kb:hasName ?name . "
        "?kb kb:hasDescription ?description . ?kb kb:hasKnowledgeInteraction ?ki . "
        "?ki rdf:type ?kiType . ?ki kb:isMeta ?isMeta . ?ki kb:hasCommunicativeAct ?act . "
        "?act rdf:type kb:CommunicativeAct . ?act kb:hasRequirement ?req . "
        "?act kb:hasSatisfaction ?sat . ?req rdf:type ?reqType . ?sat rdf:type ?satType . "
        "?ki kb:hasGraphPattern ?gp . ?gp rdf:type ?patternType . ?gp kb:hasPattern ?pattern .",
        meta_prefixes());
    return parsed.has_value() ? std::move(parsed).value() : pattern::GraphPattern{};
  }();
  return p;
}

std::string meta_ki_id(std::string_view kb, MetaKi which) {
  return std::string(kb) + "/meta/knowledgeinteractions/" + suffix(which);
}

bool is_meta_ki_id(std::string_view ki) {
  return ki.find("/meta/knowledgeinteractions/") != std::string_view::npos;
}

ki::KnowledgeInteraction meta_knowledge_interaction(MetaKi which) {
  const std::string inform = ke("InformPurpose");
  auto purpose = [](MetaKi w) {
    switch (w) {
      case MetaKi::post_new:
      case MetaKi::react_new: return ke("NewKnowledgePurpose");
      case MetaKi::post_changed:
      case MetaKi::react_changed: return ke("ChangedKnowledgePurpose");
      default: return ke("RemovedKnowledgePurpose");
    }
  };
  ki::KnowledgeInteraction k;
  switch (which) {
    case MetaKi::ask: k = ki::KnowledgeInteraction::ask(meta_pattern()); break;
    case MetaKi::answer: k = ki::KnowledgeInteraction::answer(meta_pattern()); break;
    case MetaKi::post_new:
    case MetaKi::post_changed:
    case MetaKi::post_removed:
      k = ki::KnowledgeInteraction::post(meta_pattern());
      k.act = ki::CommunicativeAct{{inform}, {purpose(which)}};
      break;
    default:
      k = ki::KnowledgeInteraction::react(meta_pattern());
      k.act = ki::CommunicativeAct{{purpose(which)}, {inform}};
      break;
  }
  k.prefixes = meta_prefixes();
  k.include_meta_kis = true;
  k.match_level = 1;
  return k;
}

std::vector<RegisteredKi> meta_knowledge_interactions(std::string_view kb) {
  std::vector<RegisteredKi> out;
  out.reserve(std::size(all_meta_kis));
  for (MetaKi w : all_meta_kis) out.push_back({meta_ki_id(kb, w), meta_knowledge_interaction(w)});
  return out;
}

pattern::BindingSet metadata_bindings(const KnowledgeBaseInfo& kb,
                                      const std::vector<RegisteredKi>& kis) {
  pattern::BindingSet out;
  static const rdf::Term yes =
      rdf::Term::literal("true", "http://www.w3.org/2001/XMLSchema#boolean");
  static const rdf::Term no =
      rdf::Term::literal("false", "http://www.w3.org/2001/XMLSchema#boolean");
  const rdf::Term kb_term = rdf::Term::iri(kb.id);
  const rdf::Term name = plain(kb.name);
  const rdf::Term description = plain(kb.description);
  auto add = [&](const RegisteredKi& k, bool is_meta) {
    const auto& d = k.definition;
    const rdf::Term ki_term = rdf::Term::iri(k.id);
    const rdf::Term act = rdf::Term::iri(k.id + "/act");
    const rdf::Term req = rdf::Term::iri(k.id + "/act/req");
    const rdf::Term sat = rdf::Term::iri(k.id + "/act/sat");
    std::vector<std::pair<rdf::Term, std::pair<rdf::Term, std::string>>> gps;
    if (d.kind == ki::KiKind::ask || d.kind == ki::KiKind::answer) {
      gps.push_back(
          {rdf::Term::iri(k.id + "/gp"),
           {rdf::Term::iri(ke("GraphPattern")), d.pattern ? d.pattern->canonical() : ""}});
    } else {
      if (d.pattern) {
        gps.push_back({rdf::Term::iri(k.id + "/argumentgp"),
                       {rdf::Term::iri(ke("ArgumentGraphPattern")), d.pattern->canonical()}});
      }
      gps.push_back({rdf::Term::iri(k.id + "/resultgp"),
                     {rdf::Term::iri(ke("ResultGraphPattern")),
                      d.result_pattern ? d.result_pattern->canonical() : std::string()}});
    }
    const rdf::Term ki_type = rdf::Term::iri(ke(kind_local(d.kind)));
    for (const auto& [gp, typed] : gps) {
      for (const auto& r : d.act.required_purposes) {
        for (const auto& s : d.act.satisfied_purposes) {
          pattern::Binding b;
          b.reserve(14);
          b.set("kb", kb_term);
          b.set("name", name);
          b.set("description", description);
          b.set("ki", ki_term);
          b.set("kiType", ki_type);
          b.set("isMeta", is_meta ? yes : no);
          b.set("act", act);
          b.set("req", req);
          b.set("sat", sat);
          b.set("reqType", rdf::Term::iri(r));
          b.set("satType", rdf::Term::iri(s));
          b.set("gp", gp);
          b.set("patternType", typed.first);
          b.set("pattern", plain(typed.second));
          out.insert(std::move(b));
        }
      }
    }
  };
  for (const auto& k : meta_knowledge_interactions(kb.id)) add(k, true);
  for (const auto& k : kis) add(k, is_meta_ki_id(k.id));
  return out;
}

}  // namespace gridke::engine::meta
