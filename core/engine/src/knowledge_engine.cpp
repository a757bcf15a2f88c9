#include "gridke/engine/knowledge_engine.hpp"

#include <exception>
#include <memory>
#include <string>

#include "thread_pool.hpp"

namespace gridke::engine {

Result<KiId> KnowledgeEngine::register_ki(std::string_view kb, const ki::KnowledgeInteraction& ki,
                                          SyncHandler handler) {
  if (!handler) return register_ki(kb, ki, Handler{});
  // Exceptions never cross a GridKE API (STYLE.md §2.3): a throwing user handler becomes an
  // Error, which the engine records as a FAILED exchange.
  Handler async = [h = std::move(handler)](const HandleRequest& request, Reply reply) {
    Result<pattern::BindingSet> result = pattern::BindingSet{};
    try {
      result = h(request);
    } catch (const std::exception& e) {
      result = internal_error(std::string("handler threw: ") + e.what());
    } catch (...) {
      result = internal_error("handler threw a non-standard exception");
    }
    reply(std::move(result));
  };
  return register_ki(kb, ki, std::move(async));
}

Result<AskResult> KnowledgeEngine::ask(std::string_view kb, std::string_view ki,
                                       pattern::BindingSet bindings, CallOptions options) {
  // The caller spins briefly (adaptively) before sleeping: an in-process answer usually
  // arrives within microseconds, and a futex wake-up costs more than that (docs/performance.md).
  auto done = std::make_shared<detail::Completion<Result<AskResult>>>();
  ask_async(kb, ki, std::move(bindings), std::move(options),
            [done](Result<AskResult> r) { done->set(std::move(r)); });
  return done->get(detail::caller_spin_policy());
}

Result<PostResult> KnowledgeEngine::post(std::string_view kb, std::string_view ki,
                                         pattern::BindingSet bindings, CallOptions options) {
  auto done = std::make_shared<detail::Completion<Result<PostResult>>>();
  post_async(kb, ki, std::move(bindings), std::move(options),
             [done](Result<PostResult> r) { done->set(std::move(r)); });
  return done->get(detail::caller_spin_policy());
}

}  // namespace gridke::engine
