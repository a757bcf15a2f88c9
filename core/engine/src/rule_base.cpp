// Domain knowledge as planner input (engine_core.hpp RuleBase): facts become ANSWER-like
// entries, rules REACT-like converters whose in-process handler copies the shared variables
// (the KE's default rule handler, NOTES §2.7).
#include <utility>

#include "engine_core.hpp"
#include "gridke/engine/domain_knowledge.hpp"

namespace gridke::engine::detail {

Result<RuleBasePtr> build_rule_base(const KbId& kb, std::string_view text) {
  GRIDKE_ASSIGN_OR_RETURN(auto parsed, parse_domain_knowledge(text));
  auto base = std::make_shared<RuleBase>();
  base->text = std::string(text);
  for (auto& rule : parsed) {
    auto entry = std::make_shared<KiEntry>();
    entry->kb = kb;
    entry->id = kb + "/knowledge/" + rule.name;
    entry->rule = true;
    entry->definition.name = rule.name;
    if (!rule.antecedent) {
      entry->definition = ki::KnowledgeInteraction::answer(rule.consequent, rule.name);
      entry->pattern.emplace(rule.consequent);
      // A fact has no variables: one empty row says "it holds".
      entry->handler = [](const HandleRequest&, Reply reply) {
        reply(pattern::BindingSet{pattern::Binding{}});
      };
      base->fact_index.add(base->facts.size(), *entry->pattern);
      base->facts.push_back(std::move(entry));
      continue;
    }
    entry->definition =
        ki::KnowledgeInteraction::react(*rule.antecedent, rule.consequent, rule.name);
    entry->pattern.emplace(*rule.antecedent);
    entry->result.emplace(rule.consequent);
    entry->handler = [vars = rule.consequent.variables()](const HandleRequest& request,
                                                          Reply reply) {
      pattern::BindingSet out;
      for (const auto& b : request.bindings) out.insert(b.project(vars));
      reply(std::move(out));
    };
    const std::size_t id = base->rules.size();
    base->antecedent_index.add(id, *entry->pattern);
    base->consequent_index.add(id, *entry->result);
    base->rules.push_back(std::move(entry));
  }
  return RuleBasePtr(std::move(base));
}

}  // namespace gridke::engine::detail
