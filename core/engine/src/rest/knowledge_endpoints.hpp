#pragma once
// The knowledge-network endpoints of RestServer, as free functions over the engine so that the
// router (server_core.cpp) only forwards headers and body:
// - POST /sc/knowledge (KE; NOTES §1.4): text/plain Jena rules replacing the KB's domain
//   knowledge;
// - GET /sc/ki/plan (GridKE extension, docs/knowledge-network.md): the plan an ASK/POST of a KI
//   would run, with near misses and knowledge gaps, as JSON (wire::plan_explanation_to_json).
// Thread safety: as the engine.

#include <optional>
#include <string>
#include <string_view>

#include "gridke/engine/knowledge_engine.hpp"

namespace gridke::engine::rest {

/// An HTTP answer: status and JSON body text (empty: no body).
struct EndpointReply {
  int status = 200;
  std::string body;
};

/// POST /sc/knowledge: 400 "Missing valid Knowledge-Base-Id header." without the header; 404 for
/// an unknown KB; 400 "The provided domain knowledge should parse correctly: ..." for bad rules;
/// 501 when the engine does not take domain knowledge; 200 with no body otherwise (an empty body
/// clears the knowledge).
EndpointReply post_domain_knowledge(KnowledgeEngine& engine, const std::optional<std::string>& kb,
                                    std::string_view body);

/// GET /sc/ki/plan: headers Knowledge-Base-Id and Knowledge-Interaction-Id (400 when missing),
/// 404 for an unknown KB or KI, 400 for an ANSWER/REACT KI, 200 with the explanation.
EndpointReply get_ki_plan(const KnowledgeEngine& engine, const std::optional<std::string>& kb,
                          const std::optional<std::string>& ki);

}  // namespace gridke::engine::rest
