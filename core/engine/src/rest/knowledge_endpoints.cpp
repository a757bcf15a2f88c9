#include "knowledge_endpoints.hpp"

#include "gridke/engine/plan_json.hpp"
#include "wire.hpp"

namespace gridke::engine::rest {
namespace {

EndpointReply message(int status, std::string_view text) {
  return {status, wire::response_message("error", text)
                      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

int status_of(const Error& e) {
  switch (e.code()) {
    case ErrorCode::not_found: return 404;
    case ErrorCode::unimplemented: return 501;
    case ErrorCode::invalid_argument:
    case ErrorCode::parse_error: return 400;
    default: return e.http_status();
  }
}

}  // namespace

EndpointReply post_domain_knowledge(KnowledgeEngine& engine, const std::optional<std::string>& kb,
                                    std::string_view body) {
  if (!kb || kb->empty()) return message(400, "Missing valid Knowledge-Base-Id header.");
  auto r = engine.set_domain_knowledge(*kb, body);
  if (!r) return message(status_of(r.error()), r.error().message());
  return {200, {}};
}

EndpointReply get_ki_plan(const KnowledgeEngine& engine, const std::optional<std::string>& kb,
                          const std::optional<std::string>& ki) {
  if (!kb || !ki) {
    return message(400,
                   "Both Knowledge-Base-Id and Knowledge-Interaction-Id headers should be "
                   "non-null.");
  }
  auto e = engine.explain(*kb, *ki);
  if (!e) return message(status_of(e.error()), e.error().message());
  return {200, wire::plan_explanation_to_json(*e).dump()};
}

}  // namespace gridke::engine::rest

namespace gridke::engine {

std::string plan_explanation_json(const PlanExplanation& explanation, int indent) {
  return wire::plan_explanation_to_json(explanation).dump(indent);
}

Result<PlanExplanation> parse_plan_explanation_json(std::string_view text) {
  GRIDKE_ASSIGN_OR_RETURN(auto json, wire::parse_json(text));
  return wire::plan_explanation_from_json(json);
}

}  // namespace gridke::engine
