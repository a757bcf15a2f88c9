#include "gridke/engine/knowledge_engine.hpp"

#include <exception>
#include <future>
#include <memory>
#include <string>

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
  auto promise = std::make_shared<std::promise<Result<AskResult>>>();
  auto future = promise->get_future();
  ask_async(kb, ki, std::move(bindings), std::move(options),
            [promise](Result<AskResult> r) { promise->set_value(std::move(r)); });
  return future.get();
}

Result<PostResult> KnowledgeEngine::post(std::string_view kb, std::string_view ki,
                                         pattern::BindingSet bindings, CallOptions options) {
  auto promise = std::make_shared<std::promise<Result<PostResult>>>();
  auto future = promise->get_future();
  post_async(kb, ki, std::move(bindings), std::move(options),
             [promise](Result<PostResult> r) { promise->set_value(std::move(r)); });
  return future.get();
}

}  // namespace gridke::engine
