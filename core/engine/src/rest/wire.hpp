#pragma once
// The KE REST wire form (openapi-sc.yaml, NOTES.md §1.3): JSON ⇄ GridKE model values, shared by
// RestServer and RemoteEngine. Parsers are lenient where the TNO server is (booleans as strings,
// JSON null for optional fields, unknown properties ignored) and name the offending field in
// their errors. Writers omit absent fields (the TNO server's @JsonInclude(NON_NULL)).
// Thread safety: free functions over values; share freely.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "gridke/base/result.hpp"
#include "gridke/engine/exchange.hpp"
#include "gridke/engine/explain.hpp"

namespace gridke::engine::wire {

using Json = nlohmann::json;

/// Parses a whole request body. Errors: parse_error naming the byte offset.
Result<Json> parse_json(std::string_view text);

/// RFC 3339 with milliseconds and a numeric offset, as the TNO server writes dates:
/// "2025-01-01T10:00:00.123+00:00".
std::string format_time(Clock::time_point t);
/// Parses RFC 3339 / ISO 8601 date-times ("Z" or "±hh:mm", optional fraction).
Result<Clock::time_point> parse_time(std::string_view text);

/// Reads an optional boolean field: absent or null → fallback; true/false or "true"/"false".
Result<bool> optional_bool(const Json& object, std::string_view field, bool fallback);
/// Reads an optional string field: absent or null → nullopt.
Result<std::optional<std::string>> optional_string(const Json& object, std::string_view field);

/// BindingSet: an array of objects variable → KE term text. Values are parsed with
/// rdf::parse_term; errors name the binding index, the variable and the value.
Result<pattern::BindingSet> binding_set_from_json(const Json& json);
/// Writes normalised term text (Term::to_string()).
Json binding_set_to_json(const pattern::BindingSet& bindings);

/// SmartConnector ⇄ KnowledgeBaseInfo. Checks types, lease 30..3600 and reasoner level 1..5.
Result<KnowledgeBaseInfo> knowledge_base_from_json(const Json& json);
Json knowledge_base_to_json(const KnowledgeBaseInfo& info);

/// KnowledgeInteractionBase subtypes ⇄ KnowledgeInteraction. Patterns are parsed with the
/// body's prefixes; a bad pattern gives "Invalid graph pattern: <msg>" (+ the prefixes note).
Result<ki::KnowledgeInteraction> knowledge_interaction_from_json(const Json& json);
/// KnowledgeInteractionWithId as GET /sc/ki returns it: canonical patterns, no prefixes.
Json knowledge_interaction_to_json(const RegisteredKi& ki);
/// Inverse of knowledge_interaction_to_json (for RemoteEngine), reading canonical patterns.
Result<RegisteredKi> registered_ki_from_json(const Json& json);
/// The request body RemoteEngine sends to POST /sc/ki (patterns in canonical, full-IRI form).
Json knowledge_interaction_request_json(const ki::KnowledgeInteraction& ki);

/// POST /sc/ask and /sc/post bodies: a BindingSet array, or {recipientSelector, bindingSet}.
/// Errors carry the TNO messages of NOTES.md §1.4 item 1.
struct ProactiveRequest {
  pattern::BindingSet bindings;
  RecipientSelector recipients;
};
Result<ProactiveRequest> proactive_request_from_json(const Json& json);
Json proactive_request_to_json(const pattern::BindingSet& bindings,
                               const RecipientSelector& recipients);

Json ask_result_to_json(const AskResult& result);
Json post_result_to_json(const PostResult& result);
Result<AskResult> ask_result_from_json(const Json& json);
Result<PostResult> post_result_from_json(const Json& json);

/// GET /sc/handle 200 body.
Json handle_request_to_json(const HandleRequest& request, long long handle_request_id);
struct WireHandleRequest {
  HandleRequest request;  ///< kind is not on the wire; the client fills it from its KI
  long long handle_request_id = 0;
};
Result<WireHandleRequest> handle_request_from_json(const Json& json);

/// GET /sc/ki/plan (GridKE extension): a PlanExplanation as JSON (docs/knowledge-network.md):
/// {"knowledgeBaseId", "knowledgeInteractionId", "knowledgeInteractionType", "matchLevel",
///  "networkVersion", "plan": [{knowledgeBaseId, knowledgeInteractionId, name, type, role, depth,
///  covers: [..], variableMapping: {from: to}}], "nearMisses": [{..., reason, unmatched, extra,
///  matchesAtLevel?}], "knowledgeGaps": [[..]] (ASK only)}.
Json plan_explanation_to_json(const PlanExplanation& e);
/// Inverse of plan_explanation_to_json. Errors: parse_error naming the field.
Result<PlanExplanation> plan_explanation_from_json(const Json& json);

/// {"messageType": type, "message": message}.
Json response_message(std::string_view type, std::string_view message);

}  // namespace gridke::engine::wire
