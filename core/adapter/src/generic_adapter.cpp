#include "gridke/adapter/generic_adapter.hpp"

#include <set>
#include <utility>

namespace gridke::adapter {
namespace {

std::string context_for(std::string_view contract) {
  return "contract '" + std::string(contract) + "'";
}

// The engine handler for one ANSWER/REACT use: builds the Request and calls the SSA.
engine::Handler wrap(std::shared_ptr<const Contract> contract, Ssa::Use use) {
  if (use.async_handler) {
    return [contract, h = std::move(use.async_handler)](const engine::HandleRequest& r,
                                                        engine::Reply reply) {
      h(Request{*contract, r}, std::move(reply));
    };
  }
  return
      [contract, h = std::move(use.handler)](const engine::HandleRequest& r, engine::Reply reply) {
        // Exceptions never cross a GridKE API (STYLE.md §2.3): a throwing SSA handler fails
        // only its own KI's exchange.
        Result<pattern::BindingSet> out = pattern::BindingSet{};
        try {
          out = h(Request{*contract, r});
        } catch (const std::exception& e) {
          out = internal_error(std::string("handler of contract '") + contract->name +
                               "' threw: " + e.what());
        } catch (...) {
          out = internal_error("handler of contract '" + contract->name +
                               "' threw a non-standard exception");
        }
        reply(std::move(out));
      };
}

}  // namespace

GenericAdapter::GenericAdapter(engine::KnowledgeEngine& engine, engine::KnowledgeBaseInfo kb)
    : engine_(engine), knowledge_base_(std::move(kb)) {}

Result<std::unique_ptr<GenericAdapter>> GenericAdapter::start(engine::KnowledgeEngine& engine,
                                                              const ContractSet& contracts,
                                                              Ssa ssa) {
  // Check every use before touching the engine, so a bad SSA leaves no trace.
  std::set<std::string, std::less<>> seen;
  std::vector<std::shared_ptr<const Contract>> resolved;
  for (const auto& use : ssa.uses()) {
    GRIDKE_ASSIGN_OR_RETURN(const Contract* c, contracts.get(use.contract));
    if (c->ki.kind != use.kind) {
      return invalid_argument(
          c->file.string() + " declares an " + std::string(ki::short_name(c->ki.kind)) +
              " KI, but the SSA uses it as " + std::string(ki::short_name(use.kind)),
          context_for(use.contract));
    }
    if (!seen.insert(use.contract).second) {
      return invalid_argument("the SSA declares this contract twice; declare it once",
                              context_for(use.contract));
    }
    bool reactive = !ki::is_proactive(use.kind);
    if (reactive && !use.handler && !use.async_handler) {
      return invalid_argument(
          "an " + std::string(ki::short_name(use.kind)) + " contract needs a handler",
          context_for(use.contract));
    }
    resolved.push_back(std::make_shared<const Contract>(*c));
  }

  std::unique_ptr<GenericAdapter> adapter(new GenericAdapter(engine, ssa.knowledge_base()));
  GRIDKE_TRY(engine.create_knowledge_base(adapter->knowledge_base_));
  adapter->running_ = true;
  for (std::size_t i = 0; i < resolved.size(); ++i) {
    const auto& use = ssa.uses()[i];
    const auto& contract = resolved[i];
    engine::Handler handler;
    if (!ki::is_proactive(use.kind)) handler = wrap(contract, use);
    auto id = engine.register_ki(adapter->knowledge_base_.id, contract->ki, std::move(handler));
    if (!id) {
      // The destructor unregisters what was registered and deletes the knowledge base.
      return id.error().with_context(context_for(use.contract) + " (" + contract->file.string() +
                                     ")");
    }
    adapter->registrations_.push_back({contract, std::move(id).value()});
  }
  return adapter;
}

GenericAdapter::~GenericAdapter() {
  auto stopped = stop();
  (void)stopped;  // Best effort: the knowledge base may have been deleted by someone else.
}

Result<void> GenericAdapter::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!running_) return ok();
    running_ = false;
  }
  std::optional<Error> first;
  for (auto it = registrations_.rbegin(); it != registrations_.rend(); ++it) {
    auto r = engine_.unregister_ki(knowledge_base_.id, it->ki_id);
    if (!r && !first) first = r.error().with_context(context_for(it->contract->name));
  }
  auto deleted = engine_.delete_knowledge_base(knowledge_base_.id);
  if (!deleted && !first) first = deleted.error();
  if (first) return *first;
  return ok();
}

bool GenericAdapter::is_running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

Result<const GenericAdapter::Registration*> GenericAdapter::proactive(std::string_view contract,
                                                                      ki::KiKind kind) const {
  if (!is_running()) {
    return failed_precondition("the adapter of " + knowledge_base_.id + " is stopped",
                               context_for(contract));
  }
  for (const auto& r : registrations_) {
    if (r.contract->name != contract) continue;
    if (r.contract->ki.kind != kind) {
      return invalid_argument("this is an " + std::string(ki::short_name(r.contract->ki.kind)) +
                                  " contract; only " + std::string(ki::short_name(kind)) +
                                  " contracts can be " +
                                  (kind == ki::KiKind::ask ? "asked" : "posted"),
                              context_for(contract));
    }
    return &r;
  }
  std::string declared;
  for (const auto& r : registrations_) {
    if (r.contract->ki.kind == kind) declared += (declared.empty() ? "" : ", ") + r.contract->name;
  }
  return not_found("the SSA did not declare this " + std::string(ki::short_name(kind)) +
                       " contract (declared: " + (declared.empty() ? "none" : declared) + ")",
                   context_for(contract));
}

Result<engine::AskResult> GenericAdapter::ask(std::string_view contract,
                                              pattern::BindingSet bindings,
                                              engine::CallOptions options) {
  GRIDKE_ASSIGN_OR_RETURN(const Registration* r, proactive(contract, ki::KiKind::ask));
  if (auto keys = pattern::check_keys(bindings, *r->contract->ki.pattern); !keys) {
    return keys.error().with_context(context_for(contract));
  }
  auto result = engine_.ask(knowledge_base_.id, r->ki_id, std::move(bindings), std::move(options));
  if (!result) return result.error().with_context(context_for(contract));
  return result;
}

Result<engine::PostResult> GenericAdapter::post(std::string_view contract,
                                                pattern::BindingSet bindings,
                                                engine::CallOptions options) {
  GRIDKE_ASSIGN_OR_RETURN(const Registration* r, proactive(contract, ki::KiKind::post));
  if (r->contract->ki.pattern) {
    if (auto keys = pattern::check_keys(bindings, *r->contract->ki.pattern); !keys) {
      return keys.error().with_context(context_for(contract));
    }
  }
  auto result = engine_.post(knowledge_base_.id, r->ki_id, std::move(bindings), std::move(options));
  if (!result) return result.error().with_context(context_for(contract));
  return result;
}

std::optional<engine::KiId> GenericAdapter::ki_id(std::string_view contract) const {
  for (const auto& r : registrations_) {
    if (r.contract->name == contract) return r.ki_id;
  }
  return std::nullopt;
}

const Contract* GenericAdapter::contract(std::string_view name) const {
  for (const auto& r : registrations_) {
    if (r.contract->name == name) return r.contract.get();
  }
  return nullptr;
}

}  // namespace gridke::adapter
