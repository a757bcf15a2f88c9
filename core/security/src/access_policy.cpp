#include "gridke/security/access_policy.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace gridke::security {

namespace {

using Json = nlohmann::json;

Result<std::vector<std::string>> string_list(const Json& rule, const std::string& path,
                                             const char* key, bool required) {
  auto it = rule.find(key);
  if (it == rule.end()) {
    if (required) return invalid_argument(path + ": the field \"" + key + "\" is required");
    return std::vector<std::string>{"*"};
  }
  if (!it->is_array() || it->empty()) {
    return invalid_argument(path + "." + key + ": expected a non-empty array of strings");
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const Json& v = (*it)[i];
    if (!v.is_string() || v.get<std::string>().empty()) {
      return invalid_argument(path + "." + key + "[" + std::to_string(i) +
                              "]: expected a non-empty string, got " + v.dump());
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

bool matches(const std::vector<std::string>& list, std::string_view a, std::string_view b = {}) {
  return std::any_of(list.begin(), list.end(), [&](const std::string& s) {
    return s == "*" || s == a || (!b.empty() && s == b);
  });
}

Result<AccessPolicy::Rule> parse_rule(const Json& j, const std::string& path) {
  if (!j.is_object()) return invalid_argument(path + ": expected an object, got " + j.dump());
  static const std::vector<std::string> known = {
      "effect", "requesters", "actions", "knowledgeBases", "knowledgeInteractions", "comment"};
  for (const auto& [key, value] : j.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return invalid_argument(path + ": unknown field \"" + key +
                              "\" (known: effect, requesters, actions, knowledgeBases, "
                              "knowledgeInteractions, comment)");
    }
  }
  AccessPolicy::Rule rule;
  if (auto it = j.find("effect"); it != j.end()) {
    if (!it->is_string() || (*it != "allow" && *it != "deny")) {
      return invalid_argument(path + ".effect: expected \"allow\" or \"deny\", got " + it->dump());
    }
    rule.allow = *it == "allow";
  }
  GRIDKE_ASSIGN_OR_RETURN(rule.requesters, string_list(j, path, "requesters", true));
  GRIDKE_ASSIGN_OR_RETURN(rule.knowledge_bases, string_list(j, path, "knowledgeBases", false));
  GRIDKE_ASSIGN_OR_RETURN(rule.knowledge_interactions,
                          string_list(j, path, "knowledgeInteractions", false));
  if (j.contains("actions")) {
    GRIDKE_ASSIGN_OR_RETURN(auto actions, string_list(j, path, "actions", true));
    rule.ask = rule.post = false;
    for (std::size_t i = 0; i < actions.size(); ++i) {
      if (actions[i] == "ask") {
        rule.ask = true;
      } else if (actions[i] == "post") {
        rule.post = true;
      } else if (actions[i] == "*") {
        rule.ask = rule.post = true;
      } else {
        return invalid_argument(path + ".actions[" + std::to_string(i) +
                                "]: expected \"ask\" or \"post\", got \"" + actions[i] + "\"");
      }
    }
  }
  return rule;
}

}  // namespace

Result<std::shared_ptr<AccessPolicy>> AccessPolicy::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return unavailable("Cannot read the ACL file " + path);
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

Result<std::shared_ptr<AccessPolicy>> AccessPolicy::parse(std::string_view json_text,
                                                          std::string_view source) {
  Json j;
  try {
    j = Json::parse(json_text);
  } catch (const Json::parse_error& e) {
    return parse_error("ACL " + std::string(source) + " is not valid JSON: " + e.what());
  }
  const std::string where = "ACL " + std::string(source);
  if (!j.is_object()) return invalid_argument(where + ": the top level must be a JSON object");
  for (const auto& [key, value] : j.items()) {
    if (key != "default" && key != "rules" && key != "comment") {
      return invalid_argument(where + ": unknown field \"" + key +
                              "\" (known: default, rules, comment)");
    }
  }
  bool default_allow = false;
  if (auto it = j.find("default"); it != j.end()) {
    if (!it->is_string() || (*it != "allow" && *it != "deny")) {
      return invalid_argument(where + ": default: expected \"allow\" or \"deny\", got " +
                              it->dump());
    }
    default_allow = *it == "allow";
  }
  std::vector<Rule> rules;
  if (auto it = j.find("rules"); it != j.end()) {
    if (!it->is_array()) return invalid_argument(where + ": rules: expected an array");
    for (std::size_t i = 0; i < it->size(); ++i) {
      auto rule = parse_rule((*it)[i], where + ": rules[" + std::to_string(i) + "]");
      if (!rule) return rule.error();
      rules.push_back(std::move(*rule));
    }
  }
  return std::make_shared<AccessPolicy>(std::move(rules), default_allow);
}

Result<void> AccessPolicy::may_contact(const engine::KiRef& requester,
                                       const engine::KiRef& candidate) const {
  // A proactive requester names the action; inside chains (a REACT converter asking on), the
  // candidate's kind does: ANSWER is reached by asking, REACT by posting.
  bool is_ask = ki::is_proactive(requester.kind) ? requester.kind == ki::KiKind::ask
                                                 : candidate.kind == ki::KiKind::answer;
  const char* action = is_ask ? "ask" : "post";
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    const Rule& r = rules_[i];
    if (!(is_ask ? r.ask : r.post)) continue;
    if (!matches(r.requesters, requester.knowledge_base)) continue;
    if (!matches(r.knowledge_bases, candidate.knowledge_base)) continue;
    if (!matches(r.knowledge_interactions, candidate.name, candidate.knowledge_interaction)) {
      continue;
    }
    if (r.allow) return ok();
    return permission_denied("ACL rule " + std::to_string(i) + " denies " +
                             requester.knowledge_base + " to " + action + " " +
                             candidate.knowledge_interaction);
  }
  if (default_allow_) return ok();
  return permission_denied("no ACL rule allows " + requester.knowledge_base + " to " + action +
                           " " + candidate.knowledge_interaction + " (default deny)");
}

}  // namespace gridke::security
