#include "gridke/security/registry_store.hpp"

#include <map>

#include "gridke/security/digest.hpp"

namespace gridke::security {

namespace {

constexpr int schema_version = 1;

constexpr std::string_view registry_schema = R"sql(
CREATE TABLE IF NOT EXISTS knowledge_bases (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  lease_renewal_time_s INTEGER,
  reasoner_level INTEGER NOT NULL,
  lease_expiry_ms INTEGER,
  seq INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS knowledge_interactions (
  kb TEXT NOT NULL REFERENCES knowledge_bases(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  definition TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (kb, id)
);
)sql";

}  // namespace

Result<std::shared_ptr<SqliteRegistryStore>> SqliteRegistryStore::open(const std::string& path) {
  GRIDKE_ASSIGN_OR_RETURN(auto db, storage::Database::open(path));
  GRIDKE_ASSIGN_OR_RETURN(int version, db.user_version());
  if (version > schema_version) {
    return failed_precondition("Registry " + path + " has schema version " +
                               std::to_string(version) + "; this gridke understands up to " +
                               std::to_string(schema_version));
  }
  if (auto r = db.exec(registry_schema); !r) return r.error().with_context("registry " + path);
  GRIDKE_TRY(db.set_user_version(schema_version));
  return std::make_shared<SqliteRegistryStore>(std::move(db));
}

Result<std::vector<engine::StoredKnowledgeBase>> SqliteRegistryStore::load() {
  std::lock_guard lock(mu_);
  std::vector<engine::StoredKnowledgeBase> out;
  std::map<std::string, std::size_t> index;
  GRIDKE_ASSIGN_OR_RETURN(auto kbs,
                          db_.prepare("SELECT id, name, description, "
                                      "lease_renewal_time_s, reasoner_level, "
                                      "lease_expiry_ms FROM knowledge_bases ORDER BY seq"));
  for (;;) {
    GRIDKE_ASSIGN_OR_RETURN(bool row, kbs.step());
    if (!row) break;
    engine::StoredKnowledgeBase kb;
    kb.info.id = kbs.column_text(0);
    kb.info.name = kbs.column_text(1);
    kb.info.description = kbs.column_text(2);
    if (!kbs.column_is_null(3)) kb.info.lease_renewal_time_s = static_cast<int>(kbs.column_int(3));
    kb.info.reasoner_level = static_cast<int>(kbs.column_int(4));
    if (!kbs.column_is_null(5)) kb.lease_expiry = from_unix_ms(kbs.column_int(5));
    index[kb.info.id] = out.size();
    out.push_back(std::move(kb));
  }
  GRIDKE_ASSIGN_OR_RETURN(auto kis, db_.prepare("SELECT kb, id, definition FROM "
                                                "knowledge_interactions ORDER BY seq"));
  for (;;) {
    GRIDKE_ASSIGN_OR_RETURN(bool row, kis.step());
    if (!row) break;
    auto it = index.find(kis.column_text(0));
    if (it == index.end()) continue;  // foreign keys prevent this; tolerate older files
    out[it->second].kis.push_back({kis.column_text(1), kis.column_text(2)});
  }
  return out;
}

Result<void> SqliteRegistryStore::save_knowledge_base(
    const engine::KnowledgeBaseInfo& info, std::optional<engine::Clock::time_point> lease_expiry) {
  std::lock_guard lock(mu_);
  GRIDKE_ASSIGN_OR_RETURN(
      auto s, db_.prepare("INSERT INTO knowledge_bases (id, name, description, "
                          "lease_renewal_time_s, reasoner_level, lease_expiry_ms, seq) VALUES "
                          "(?1, ?2, ?3, ?4, ?5, ?6, (SELECT COALESCE(MAX(seq), 0) + 1 FROM "
                          "knowledge_bases)) ON CONFLICT(id) DO UPDATE SET name = excluded.name, "
                          "description = excluded.description, lease_renewal_time_s = "
                          "excluded.lease_renewal_time_s, reasoner_level = "
                          "excluded.reasoner_level, lease_expiry_ms = excluded.lease_expiry_ms"));
  s.bind(1, info.id).bind(2, info.name).bind(3, info.description);
  s.bind(4, info.lease_renewal_time_s).bind(5, info.reasoner_level);
  if (lease_expiry) {
    s.bind(6, to_unix_ms(*lease_expiry));
  } else {
    s.bind_null(6);
  }
  if (auto r = s.run(); !r) return r.error().with_context("saving knowledge base " + info.id);
  return ok();
}

Result<void> SqliteRegistryStore::remove_knowledge_base(std::string_view kb) {
  std::lock_guard lock(mu_);
  GRIDKE_ASSIGN_OR_RETURN(auto s, db_.prepare("DELETE FROM knowledge_bases WHERE id = ?1"));
  s.bind(1, kb);
  if (auto r = s.run(); !r) {
    return r.error().with_context("removing knowledge base " + std::string(kb));
  }
  return ok();
}

Result<void> SqliteRegistryStore::save_knowledge_interaction(
    std::string_view kb, const engine::StoredKnowledgeInteraction& ki) {
  std::lock_guard lock(mu_);
  GRIDKE_ASSIGN_OR_RETURN(
      auto s, db_.prepare("INSERT INTO knowledge_interactions (kb, id, definition, seq) VALUES "
                          "(?1, ?2, ?3, (SELECT COALESCE(MAX(seq), 0) + 1 FROM "
                          "knowledge_interactions)) ON CONFLICT(kb, id) DO UPDATE SET "
                          "definition = excluded.definition"));
  s.bind(1, kb).bind(2, ki.id).bind(3, ki.definition_json);
  if (auto r = s.run(); !r) {
    return r.error().with_context("saving knowledge interaction " + ki.id);
  }
  return ok();
}

Result<void> SqliteRegistryStore::remove_knowledge_interaction(std::string_view kb,
                                                               std::string_view ki) {
  std::lock_guard lock(mu_);
  GRIDKE_ASSIGN_OR_RETURN(
      auto s, db_.prepare("DELETE FROM knowledge_interactions WHERE kb = ?1 AND id = ?2"));
  s.bind(1, kb).bind(2, ki);
  if (auto r = s.run(); !r) {
    return r.error().with_context("removing knowledge interaction " + std::string(ki));
  }
  return ok();
}

Result<void> SqliteRegistryStore::renew_lease(std::string_view kb,
                                              engine::Clock::time_point expiry) {
  std::lock_guard lock(mu_);
  GRIDKE_ASSIGN_OR_RETURN(
      auto s, db_.prepare("UPDATE knowledge_bases SET lease_expiry_ms = ?1 WHERE id = ?2"));
  s.bind(1, to_unix_ms(expiry)).bind(2, kb);
  if (auto r = s.run(); !r) {
    return r.error().with_context("renewing the lease of " + std::string(kb));
  }
  return ok();
}

}  // namespace gridke::security
