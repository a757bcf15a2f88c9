#pragma once
// Shared helpers for the EmbeddedEngine tests: a fixture with short-hands to create KBs and
// register KIs, and a thread-safe recorder of handle requests.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "gridke/engine/embedded_engine.hpp"
#include "gridke_matchers.hpp"

namespace gridke::engine::testing {

using pattern::Binding;
using pattern::BindingSet;
using pattern::GraphPattern;

inline rdf::Term iri(const std::string& local) {
  return rdf::Term::iri("http://example.org/" + local);
}

inline rdf::Term term(const std::string& text) {
  auto t = rdf::parse_term(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t.has_value() ? *t : rdf::Term{};
}

inline GraphPattern gp(const std::string& text) {
  auto p = GraphPattern::parse(text, {{"ex", "http://example.org/"},
                                      {"xsd", "http://www.w3.org/2001/XMLSchema#"},
                                      {"saref", "https://saref.etsi.org/core/"}});
  EXPECT_TRUE(p.has_value()) << text << ": " << (p.has_value() ? "" : p.error().to_string());
  return p.has_value() ? *p : GraphPattern{};
}

/// A handler that keeps the Reply of the request it gets, without replying, so a test can
/// reply late (after a deadline, after the engine is gone) or from another thread.
class HeldReply {
 public:
  Handler handler() {
    return [this](const HandleRequest&, Reply reply) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        reply_ = std::move(reply);
      }
      cv_.notify_all();
    };
  }
  /// The held Reply once the handler has run (waits up to `timeout`); empty if it has not.
  Reply take(std::chrono::milliseconds timeout = std::chrono::milliseconds(0)) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, timeout, [this] { return static_cast<bool>(reply_); });
    return std::move(reply_);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  Reply reply_;
};

/// Records every handle request a handler sees.
class Recorder {
 public:
  void add(const HandleRequest& r) {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(r);
  }
  std::vector<HandleRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  std::size_t count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_.size();
  }

 private:
  mutable std::mutex mu_;
  std::vector<HandleRequest> requests_;
};

class EmbeddedEngineTest : public ::testing::Test {
 protected:
  static EmbeddedEngine::Options default_options() {
    EmbeddedEngine::Options o;
    o.default_deadline = std::chrono::milliseconds(5000);
    o.handler_threads = 4;
    return o;
  }

  explicit EmbeddedEngineTest(EmbeddedEngine::Options options = default_options())
      : engine_(options) {}

  static std::string kb_id(const std::string& name) { return "http://example.org/" + name; }

  void make_kb(const std::string& name, int level = 2) {
    KnowledgeBaseInfo info;
    info.id = kb_id(name);
    info.name = name;
    info.description = "test KB " + name;
    info.reasoner_level = level;
    ASSERT_THAT(engine_.create_knowledge_base(info), IsOk());
  }

  KiId register_ok(const std::string& kb, const ki::KnowledgeInteraction& k, Handler h = nullptr) {
    auto id = engine_.register_ki(kb_id(kb), k, std::move(h));
    EXPECT_THAT(id, IsOk());
    return id.has_value() ? *id : KiId{};
  }

  KiId ask_ki(const std::string& kb, const std::string& pattern, const std::string& name = {}) {
    return register_ok(kb, ki::KnowledgeInteraction::ask(gp(pattern), name));
  }
  KiId post_ki(const std::string& kb, const std::string& argument, const std::string& result = {},
               const std::string& name = {}) {
    std::optional<GraphPattern> res;
    if (!result.empty()) res = gp(result);
    return register_ok(kb, ki::KnowledgeInteraction::post(gp(argument), res, name));
  }
  /// An ANSWER that records its requests and returns `rows`.
  KiId answer_ki(const std::string& kb, const std::string& pattern, BindingSet rows,
                 Recorder* recorder = nullptr, const std::string& name = {}) {
    SyncHandler h = [rows, recorder](const HandleRequest& r) -> Result<BindingSet> {
      if (recorder != nullptr) recorder->add(r);
      return rows;
    };
    auto id =
        engine_.register_ki(kb_id(kb), ki::KnowledgeInteraction::answer(gp(pattern), name), h);
    EXPECT_THAT(id, IsOk());
    return id.has_value() ? *id : KiId{};
  }
  KiId react_ki(const std::string& kb, const std::string& argument, const std::string& result,
                SyncHandler h, const std::string& name = {}) {
    std::optional<GraphPattern> res;
    if (!result.empty()) res = gp(result);
    auto id =
        engine_.register_ki(kb_id(kb), ki::KnowledgeInteraction::react(gp(argument), res, name), h);
    EXPECT_THAT(id, IsOk());
    return id.has_value() ? *id : KiId{};
  }

  AskResult ask(const std::string& kb, const KiId& ki, BindingSet bindings = {},
                CallOptions options = {}) {
    auto r = engine_.ask(kb_id(kb), ki, std::move(bindings), std::move(options));
    EXPECT_THAT(r, IsOk());
    return r.has_value() ? *r : AskResult{};
  }
  PostResult post(const std::string& kb, const KiId& ki, BindingSet bindings,
                  CallOptions options = {}) {
    auto r = engine_.post(kb_id(kb), ki, std::move(bindings), std::move(options));
    EXPECT_THAT(r, IsOk());
    return r.has_value() ? *r : PostResult{};
  }

  EmbeddedEngine engine_;
};

}  // namespace gridke::engine::testing
