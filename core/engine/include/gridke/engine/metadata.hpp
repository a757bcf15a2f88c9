#pragma once
// The KE's metadata of knowledge bases (NOTES §2.5): the 15-triple meta graph pattern, the ids
// of the 8 meta knowledge interactions every KB has, and the metadata of a KB as bindings of the
// meta pattern. EmbeddedEngine answers meta ASKs of KIs with includeMetaKIs from these, and
// POSTs new/changed/removed metadata to user REACT KIs whose act requires
// New/Changed/RemovedKnowledgePurpose.
// Thread safety: pure functions; meta_pattern() returns a shared immutable value.

#include <string>
#include <string_view>
#include <vector>

#include "gridke/engine/exchange.hpp"

namespace gridke::engine::meta {

/// `https://w3id.org/knowledge-engine/` (prefix `kb:` in NOTES).
inline constexpr std::string_view ke_namespace = "https://w3id.org/knowledge-engine/";

enum class MetaKi : std::uint8_t {
  ask,
  answer,
  post_new,
  post_changed,
  post_removed,
  react_new,
  react_changed,
  react_removed
};
inline constexpr MetaKi all_meta_kis[] = {
    MetaKi::ask,          MetaKi::answer,    MetaKi::post_new,      MetaKi::post_changed,
    MetaKi::post_removed, MetaKi::react_new, MetaKi::react_changed, MetaKi::react_removed};

/// The 15-triple pattern all meta KIs share (variables kb, name, description, ki, kiType,
/// isMeta, act, req, sat, reqType, satType, gp, patternType, pattern).
const pattern::GraphPattern& meta_pattern();
/// The prefixes used to write it (`kb`, `rdf`).
const pattern::PrefixMap& meta_prefixes();

/// `<kb>/meta/knowledgeinteractions/{ask|answer|post/new|...|react/removed}`.
std::string meta_ki_id(std::string_view kb, MetaKi which);
/// True for an id of that form.
bool is_meta_ki_id(std::string_view ki);

/// The definition of a meta KI: the meta pattern, includeMetaKIs, level 1 (ENTRY_LEVEL) and the
/// act of NOTES §2.5 (ANSWER/ASK Inform/Inform; POST req Inform, sat New/Changed/Removed;
/// REACT req New/Changed/Removed, sat Inform).
ki::KnowledgeInteraction meta_knowledge_interaction(MetaKi which);

/// The 8 meta KIs of a KB with their ids.
std::vector<RegisteredKi> meta_knowledge_interactions(std::string_view kb);

/// The metadata of a KB as bindings of meta_pattern(): one row per (KI, graph pattern,
/// required purpose, satisfied purpose). `kis` are the KB's KIs; the 8 meta KIs are added.
/// Node IRIs `<ki>/act`, `<ki>/act/req`, `<ki>/act/sat`, `<ki>/gp`, `<ki>/argumentgp`,
/// `<ki>/resultgp` (the result node exists even without a result pattern, with pattern "").
pattern::BindingSet metadata_bindings(const KnowledgeBaseInfo& kb,
                                      const std::vector<RegisteredKi>& kis);

}  // namespace gridke::engine::meta
