#pragma once
// SqliteRegistryStore: the durable registry of `gridke serve --data DIR` (DIR/registry.sqlite):
// the knowledge bases REST clients created, their KIs and lease expiries, saved on every change
// (WAL, fsync on commit) so that after a crash and restart RestServer restores them
// (docs/operations.md "Durability"). Implements engine::RegistryStore.
// (It lives here, beside the other stores of `gridke serve`, because core/engine must not
// depend on SQLite.)
//
// Thread safety: internally synchronised. Ownership: owns its SQLite connection.

#include <memory>
#include <mutex>
#include <string>

#include "gridke/base/result.hpp"
#include "gridke/engine/rest_server.hpp"
#include "gridke/storage/sqlite.hpp"

namespace gridke::security {

class SqliteRegistryStore final : public engine::RegistryStore {
 public:
  /// Opens or creates the registry. Errors: unavailable (cannot open, naming the path),
  /// failed_precondition (not a database or a newer schema).
  static Result<std::shared_ptr<SqliteRegistryStore>> open(const std::string& path);

  explicit SqliteRegistryStore(storage::Database db) : db_(std::move(db)) {}

  Result<std::vector<engine::StoredKnowledgeBase>> load() override;
  Result<void> save_knowledge_base(const engine::KnowledgeBaseInfo& info,
                                   std::optional<engine::Clock::time_point> lease_expiry) override;
  Result<void> remove_knowledge_base(std::string_view kb) override;
  Result<void> save_knowledge_interaction(std::string_view kb,
                                          const engine::StoredKnowledgeInteraction& ki) override;
  Result<void> remove_knowledge_interaction(std::string_view kb, std::string_view ki) override;
  Result<void> renew_lease(std::string_view kb, engine::Clock::time_point expiry) override;

 private:
  std::mutex mu_;
  storage::Database db_;  // GUARDED_BY(mu_)
};

}  // namespace gridke::security
