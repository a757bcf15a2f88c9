// The engine's ExchangePolicy and ExchangeObserver hooks (policy.hpp): a denied candidate is
// reported as FAILED "access denied: <reason>" and never contacted; the observer sees each
// finished ask/post exactly once, before the caller's callback, also for failed calls.
#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <set>

#include "engine_test_support.hpp"

namespace gridke::engine::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

/// Denies every candidate whose KB is in `denied_kbs`; counts the questions it gets.
class KbDenyPolicy final : public ExchangePolicy {
 public:
  explicit KbDenyPolicy(std::set<std::string> denied_kbs) : denied_(std::move(denied_kbs)) {}
  Result<void> may_contact(const KiRef& requester, const KiRef& candidate) const override {
    std::lock_guard<std::mutex> lock(mu_);
    asked_.push_back({requester, candidate});
    if (denied_.count(candidate.knowledge_base) != 0) {
      return permission_denied(requester.knowledge_base + " may not contact " +
                               candidate.knowledge_base);
    }
    return ok();
  }
  std::vector<std::pair<KiRef, KiRef>> asked() const {
    std::lock_guard<std::mutex> lock(mu_);
    return asked_;
  }

 private:
  std::set<std::string> denied_;
  mutable std::mutex mu_;
  mutable std::vector<std::pair<KiRef, KiRef>> asked_;
};

class RecordingObserver final : public ExchangeObserver {
 public:
  void on_exchange(const ExchangeRecord& record) override {
    std::lock_guard<std::mutex> lock(mu_);
    records_.push_back(record);
  }
  std::vector<ExchangeRecord> records() const {
    std::lock_guard<std::mutex> lock(mu_);
    return records_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<ExchangeRecord> records_;
};

const std::string kExample = "http://example.org/";

EmbeddedEngine::Options hooked_options(std::shared_ptr<ExchangePolicy> policy,
                                       std::shared_ptr<ExchangeObserver> observer) {
  EmbeddedEngine::Options o;
  o.default_deadline = std::chrono::milliseconds(5000);
  o.handler_threads = 4;
  o.policy = std::move(policy);
  o.observer = std::move(observer);
  return o;
}

// The hooks are built before the engine (a base class initialised first).
struct Hooks {
  std::shared_ptr<KbDenyPolicy> policy_ =
      std::make_shared<KbDenyPolicy>(std::set<std::string>{kExample + "secret"});
  std::shared_ptr<RecordingObserver> observer_ = std::make_shared<RecordingObserver>();
};

class ExchangePolicyTest : protected Hooks, public EmbeddedEngineTest {
 protected:
  ExchangePolicyTest() : Hooks(), EmbeddedEngineTest(hooked_options(policy_, observer_)) {}
};

TEST_F(ExchangePolicyTest, DeniedAnswerIsFailedAndNotContacted) {
  make_kb("asker");
  make_kb("open");
  make_kb("secret");
  const KiId asking = ask_ki("asker", "?d ex:value ?v .", "q");
  Recorder open_rec;
  Recorder secret_rec;
  answer_ki("open", "?d ex:value ?v .", BindingSet{Binding{{"d", iri("d1")}, {"v", term("1")}}},
            &open_rec);
  const KiId secret =
      answer_ki("secret", "?d ex:value ?v .",
                BindingSet{Binding{{"d", iri("d2")}, {"v", term("2")}}}, &secret_rec);
  AskResult r = ask("asker", asking);
  EXPECT_EQ(r.bindings, (BindingSet{Binding{{"d", iri("d1")}, {"v", term("1")}}}));
  EXPECT_EQ(open_rec.count(), 1u);
  EXPECT_EQ(secret_rec.count(), 0u);
  ASSERT_THAT(r.exchange_info, SizeIs(2));
  const ExchangeInfo* denied = nullptr;
  for (const auto& info : r.exchange_info) {
    if (info.knowledge_interaction_id == secret) denied = &info;
  }
  ASSERT_NE(denied, nullptr);
  EXPECT_EQ(denied->status, ExchangeStatus::failed);
  EXPECT_EQ(denied->knowledge_base_id, kb_id("secret"));
  EXPECT_EQ(denied->failed_message,
            "access denied: " + kb_id("asker") + " may not contact " + kb_id("secret"));
  EXPECT_TRUE(denied->bindings.empty());
  // Asked exactly once per candidate, with the requester's name.
  auto asked = policy_->asked();
  ASSERT_THAT(asked, SizeIs(2));
  EXPECT_EQ(asked[0].first.knowledge_interaction, asking);
  EXPECT_EQ(asked[0].first.name, "q");
  EXPECT_EQ(asked[0].first.kind, ki::KiKind::ask);
}

TEST_F(ExchangePolicyTest, CallWhoseEveryCandidateIsDeniedSucceedsEmpty) {
  make_kb("asker");
  make_kb("secret");
  const KiId asking = ask_ki("asker", "?d ex:value ?v .");
  Recorder rec;
  answer_ki("secret", "?d ex:value ?v .", BindingSet{Binding{{"d", iri("d2")}, {"v", term("2")}}},
            &rec);
  AskResult r = ask("asker", asking);
  EXPECT_TRUE(r.bindings.empty());
  ASSERT_THAT(r.exchange_info, SizeIs(1));
  EXPECT_EQ(r.exchange_info[0].status, ExchangeStatus::failed);
  EXPECT_THAT(r.exchange_info[0].failed_message, HasSubstr("access denied: "));
  EXPECT_EQ(rec.count(), 0u);
}

TEST_F(ExchangePolicyTest, DeniedReactConverterIsNotUsedInAChain) {
  // ASK ?m ex:celsius ?c; REACT (secret) converts fahrenheit → celsius; ANSWER gives fahrenheit.
  make_kb("asker");
  make_kb("secret");
  make_kb("source");
  const KiId asking = ask_ki("asker", "?m ex:celsius ?c .");
  Recorder source_rec;
  answer_ki("source", "?m ex:fahrenheit ?f .",
            BindingSet{Binding{{"m", iri("m1")}, {"f", term("212")}}}, &source_rec);
  std::atomic<int> reacted{0};
  const KiId converter = react_ki("secret", "?m ex:fahrenheit ?f .", "?m ex:celsius ?c .",
                                  [&](const HandleRequest&) -> Result<BindingSet> {
                                    ++reacted;
                                    return BindingSet{};
                                  });
  AskResult r = ask("asker", asking);
  EXPECT_TRUE(r.bindings.empty());
  EXPECT_EQ(reacted.load(), 0);
  EXPECT_EQ(source_rec.count(), 0u);  // the converter's premise is not asked for either
  bool found = false;
  for (const auto& info : r.exchange_info) {
    if (info.knowledge_interaction_id != converter) continue;
    found = true;
    EXPECT_EQ(info.status, ExchangeStatus::failed);
    EXPECT_THAT(info.failed_message, HasSubstr("access denied: "));
  }
  EXPECT_TRUE(found);
}

TEST_F(ExchangePolicyTest, DeniedReactIsNotFiredByAPost) {
  make_kb("poster");
  make_kb("open");
  make_kb("secret");
  const KiId posting = post_ki("poster", "?d ex:value ?v .");
  std::atomic<int> open_calls{0};
  std::atomic<int> secret_calls{0};
  react_ki("open", "?d ex:value ?v .", "", [&](const HandleRequest&) -> Result<BindingSet> {
    ++open_calls;
    return BindingSet{};
  });
  const KiId secret =
      react_ki("secret", "?d ex:value ?v .", "", [&](const HandleRequest&) -> Result<BindingSet> {
        ++secret_calls;
        return BindingSet{};
      });
  PostResult r = post("poster", posting, BindingSet{Binding{{"d", iri("d")}, {"v", term("3")}}});
  EXPECT_EQ(open_calls.load(), 1);
  EXPECT_EQ(secret_calls.load(), 0);
  ASSERT_THAT(r.exchange_info, SizeIs(2));
  for (const auto& info : r.exchange_info) {
    if (info.knowledge_interaction_id == secret) {
      EXPECT_EQ(info.status, ExchangeStatus::failed);
      EXPECT_THAT(info.failed_message, HasSubstr("access denied: "));
    } else {
      EXPECT_EQ(info.status, ExchangeStatus::succeeded);
    }
  }
}

TEST_F(ExchangePolicyTest, ObserverSeesEachAskAndPostOnce) {
  make_kb("asker");
  make_kb("open");
  const KiId asking = ask_ki("asker", "?d ex:value ?v .");
  const KiId posting = post_ki("asker", "?d ex:value ?v .");
  answer_ki("open", "?d ex:value ?v .", BindingSet{Binding{{"d", iri("d1")}, {"v", term("1")}}});
  react_ki("open", "?d ex:value ?v .", "",
           [](const HandleRequest&) -> Result<BindingSet> { return BindingSet{}; });
  AskResult a = ask("asker", asking);
  const BindingSet sent{Binding{{"d", iri("d")}, {"v", term("3")}}};
  PostResult p = post("asker", posting, sent);
  auto records = observer_->records();
  ASSERT_THAT(records, SizeIs(2));
  EXPECT_EQ(records[0].requester.knowledge_interaction, asking);
  EXPECT_TRUE(records[0].succeeded);
  EXPECT_EQ(records[0].result_bindings, a.bindings);
  EXPECT_THAT(records[0].exchange_info, SizeIs(1));
  EXPECT_LE(records[0].start, records[0].end);
  EXPECT_EQ(records[1].requester.knowledge_interaction, posting);
  EXPECT_EQ(records[1].requester.kind, ki::KiKind::post);
  EXPECT_EQ(records[1].request_bindings, sent);
  EXPECT_THAT(records[1].exchange_info, SizeIs(1));
  EXPECT_EQ(p.exchange_info.size(), 1u);
}

TEST_F(ExchangePolicyTest, ObserverSeesAFailedCall) {
  make_kb("asker");
  auto r = engine_.ask(kb_id("asker"), kb_id("asker") + "/interaction/nope");
  EXPECT_THAT(r, HasError(ErrorCode::not_found, HasSubstr("Knowledge Interaction not found")));
  auto records = observer_->records();
  ASSERT_THAT(records, SizeIs(1));
  EXPECT_FALSE(records[0].succeeded);
  EXPECT_THAT(records[0].error_message, HasSubstr("Knowledge Interaction not found"));
  EXPECT_EQ(records[0].requester.knowledge_interaction, kb_id("asker") + "/interaction/nope");
}

TEST_F(ExchangePolicyTest, ObserverRunsBeforeTheCallersCallback) {
  make_kb("asker");
  make_kb("open");
  const KiId asking = ask_ki("asker", "?d ex:value ?v .");
  answer_ki("open", "?d ex:value ?v .", BindingSet{Binding{{"d", iri("d1")}, {"v", term("1")}}});
  std::promise<std::size_t> seen;
  auto future = seen.get_future();
  engine_.ask_async(kb_id("asker"), asking, {}, {},
                    [&](Result<AskResult>) { seen.set_value(observer_->records().size()); });
  EXPECT_EQ(future.get(), 1u);
}

}  // namespace
}  // namespace gridke::engine::testing
