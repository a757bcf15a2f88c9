#pragma once
// SQLite persistence of the flexibility market (core/storage): every accepted entity as a JSON
// document keyed by (kind, id), the audit trail of transitions, and id counters.
// Schema version 1:
//   entities(kind TEXT, id TEXT, body TEXT, PRIMARY KEY(kind, id))
//   transitions(seq INTEGER PRIMARY KEY AUTOINCREMENT, entity, id, from_state, to_state,
//               at_ms INTEGER, reason)
//   counters(kind TEXT PRIMARY KEY, next INTEGER)
// Thread safety: none; the market's mutex guards it.

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "gridke/base/result.hpp"
#include "gridke/services/flexibility_market/model.hpp"
#include "gridke/storage/sqlite.hpp"

namespace gridke::services::flexibility_market {

class MarketStore {
 public:
  MarketStore() = default;
  static Result<MarketStore> open(const std::string& path);

  Result<storage::Transaction> begin() { return storage::Transaction::begin(db_); }
  Result<void> put(const std::string& kind, const std::string& id, const nlohmann::json& body);
  Result<std::vector<std::tuple<std::string, std::string, nlohmann::json>>> all();
  Result<void> add_transition(const Transition& t);
  Result<std::vector<Transition>> transitions(const std::string& id);
  std::int64_t next_id(const std::string& kind) const;
  Result<void> set_next_id(const std::string& kind, std::int64_t next);

 private:
  storage::Database db_;  // first: outlives the statements
  storage::Statement put_;
  storage::Statement add_transition_;
  storage::Statement set_counter_;
  std::map<std::string, std::int64_t> counters_;
};

}  // namespace gridke::services::flexibility_market
