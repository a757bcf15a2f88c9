#include "market_store.hpp"

namespace gridke::services::flexibility_market {

Result<MarketStore> MarketStore::open(const std::string& path) {
  MarketStore s;
  GRIDKE_ASSIGN_OR_RETURN(s.db_, storage::Database::open(path));
  GRIDKE_TRY(s.db_.exec(
      "CREATE TABLE IF NOT EXISTS entities(kind TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT "
      "NULL, PRIMARY KEY(kind, id));"
      "CREATE TABLE IF NOT EXISTS transitions(seq INTEGER PRIMARY KEY AUTOINCREMENT, entity TEXT "
      "NOT NULL, id TEXT NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL, at_ms "
      "INTEGER NOT NULL, reason TEXT NOT NULL);"
      "CREATE INDEX IF NOT EXISTS transitions_by_id ON transitions(id);"
      "CREATE TABLE IF NOT EXISTS counters(kind TEXT PRIMARY KEY, next INTEGER NOT NULL);"));
  GRIDKE_ASSIGN_OR_RETURN(int version, s.db_.user_version());
  if (version > 1) {
    return failed_precondition("flexibility market database '" + path + "' has schema version " +
                               std::to_string(version) + ", this build reads version 1");
  }
  GRIDKE_TRY(s.db_.set_user_version(1));
  GRIDKE_ASSIGN_OR_RETURN(
      s.put_, s.db_.prepare("INSERT INTO entities(kind, id, body) VALUES(?1, ?2, ?3) "
                            "ON CONFLICT(kind, id) DO UPDATE SET body = excluded.body"));
  GRIDKE_ASSIGN_OR_RETURN(s.add_transition_,
                          s.db_.prepare("INSERT INTO transitions(entity, id, from_state, "
                                        "to_state, at_ms, reason) VALUES(?1, ?2, ?3, ?4, ?5, ?6)"));
  GRIDKE_ASSIGN_OR_RETURN(s.set_counter_,
                          s.db_.prepare("INSERT INTO counters(kind, next) VALUES(?1, ?2) ON "
                                        "CONFLICT(kind) DO UPDATE SET next = excluded.next"));
  GRIDKE_ASSIGN_OR_RETURN(auto q, s.db_.prepare("SELECT kind, next FROM counters"));
  while (true) {
    GRIDKE_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    s.counters_[q.column_text(0)] = q.column_int(1);
  }
  return s;
}

Result<void> MarketStore::put(const std::string& kind, const std::string& id,
                              const nlohmann::json& body) {
  put_.bind(1, kind).bind(2, id).bind(3, body.dump());
  GRIDKE_TRY(put_.run());
  return {};
}

Result<std::vector<std::tuple<std::string, std::string, nlohmann::json>>> MarketStore::all() {
  std::vector<std::tuple<std::string, std::string, nlohmann::json>> out;
  GRIDKE_ASSIGN_OR_RETURN(auto q,
                          db_.prepare("SELECT kind, id, body FROM entities ORDER BY rowid"));
  while (true) {
    GRIDKE_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    auto body = nlohmann::json::parse(q.column_text(2), nullptr, false);
    if (body.is_discarded()) {
      return failed_precondition("flexibility market database: stored " + q.column_text(0) + " '" +
                                 q.column_text(1) + "' is not valid JSON");
    }
    out.emplace_back(q.column_text(0), q.column_text(1), std::move(body));
  }
  return out;
}

Result<void> MarketStore::add_transition(const Transition& t) {
  add_transition_.bind(1, t.entity)
      .bind(2, t.id)
      .bind(3, t.from)
      .bind(4, t.to)
      .bind(5, to_epoch_ms(t.at))
      .bind(6, t.reason);
  GRIDKE_TRY(add_transition_.run());
  return {};
}

Result<std::vector<Transition>> MarketStore::transitions(const std::string& id) {
  GRIDKE_ASSIGN_OR_RETURN(
      auto q, db_.prepare(id.empty() ? "SELECT seq, entity, id, from_state, to_state, at_ms, "
                                       "reason FROM transitions ORDER BY seq"
                                     : "SELECT seq, entity, id, from_state, to_state, at_ms, "
                                       "reason FROM transitions WHERE id = ?1 ORDER BY seq"));
  if (!id.empty()) q.bind(1, id);
  std::vector<Transition> out;
  while (true) {
    GRIDKE_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    out.push_back({q.column_int(0), q.column_text(1), q.column_text(2), q.column_text(3),
                   q.column_text(4), from_epoch_ms(q.column_int(5)), q.column_text(6)});
  }
  return out;
}

std::int64_t MarketStore::next_id(const std::string& kind) const {
  auto it = counters_.find(kind);
  return it == counters_.end() ? 1 : it->second;
}

Result<void> MarketStore::set_next_id(const std::string& kind, std::int64_t next) {
  set_counter_.bind(1, kind).bind(2, next);
  GRIDKE_TRY(set_counter_.run());
  counters_[kind] = next;
  return {};
}

}  // namespace gridke::services::flexibility_market
