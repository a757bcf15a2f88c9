#pragma once
// AccessPolicy: per-KI authorisation from an ACL file, enforced by the engine before routing
// (an engine::ExchangePolicy; docs/security.md "Access control"). A denied candidate KI shows
// up in the caller's exchange info as FAILED with "access denied: <reason>" and in the audit
// trail — never as a silent drop.
//
// ACL file (JSON):
//   {
//     "default": "deny",                        // or "allow"; what applies when no rule matches
//     "rules": [
//       { "effect": "allow",                    // or "deny" (default "allow")
//         "requesters": ["https://dso.example/kb/ems"],    // KB IRIs, or "*"
//         "actions": ["ask"],                   // "ask" and/or "post" (default both)
//         "knowledgeBases": ["https://dso.example/kb/fl"], // target KB IRIs (default "*")
//         "knowledgeInteractions": ["fault-location-answer"] } // target KI names or ids ("*")
//     ]
//   }
// Rules are tried in order; the first whose every field matches decides. An ANSWER candidate
// is reached by "ask", a REACT candidate by "post" (also inside chains).
//
// Thread safety: immutable after load; may_contact() may run concurrently.
// Ownership: plain value; the engine holds it by shared_ptr.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/engine/policy.hpp"

namespace gridke::security {

class AccessPolicy final : public engine::ExchangePolicy {
 public:
  struct Rule {
    bool allow = true;
    std::vector<std::string> requesters;              ///< "*" matches every KB
    bool ask = true;                                  ///< applies to ASK (→ ANSWER)
    bool post = true;                                 ///< applies to POST (→ REACT)
    std::vector<std::string> knowledge_bases;         ///< target KBs, "*" = any
    std::vector<std::string> knowledge_interactions;  ///< target KI names or ids, "*" = any
  };

  /// Reads an ACL file. Errors: unavailable (cannot read the file), parse_error (not JSON, with
  /// the file name and position), invalid_argument (a field with the wrong shape, named by its
  /// JSON path, e.g. "rules[2].actions[0]: expected \"ask\" or \"post\", got \"get\"").
  static Result<std::shared_ptr<AccessPolicy>> load(const std::string& path);
  /// As load(), from text; `source` names it in messages.
  static Result<std::shared_ptr<AccessPolicy>> parse(std::string_view json_text,
                                                     std::string_view source = "<string>");

  AccessPolicy(std::vector<Rule> rules, bool default_allow)
      : rules_(std::move(rules)), default_allow_(default_allow) {}

  /// ok, or permission_denied naming the requester, the action, the target KI and the rule
  /// (or the default) that denied it.
  Result<void> may_contact(const engine::KiRef& requester,
                           const engine::KiRef& candidate) const override;

  const std::vector<Rule>& rules() const noexcept { return rules_; }
  bool default_allow() const noexcept { return default_allow_; }

 private:
  std::vector<Rule> rules_;
  bool default_allow_ = false;
};

}  // namespace gridke::security
