#include "gridke/adapter/generic_adapter.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "gridke/engine/embedded_engine.hpp"
#include "gridke_matchers.hpp"
#include "test_paths.hpp"

namespace gridke::adapter {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using namespace std::chrono;

const IriCodec thermometers{"https://example.org/thermometer/"};
const DateTimeCodec time_codec;
const DoubleCodec celsius_codec;

class GenericAdapterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto thermo = load_contracts(test_paths::graph_patterns_dir() / "thermometer");
    ASSERT_THAT(thermo, IsOk());
    thermometer_contracts_ = std::move(thermo).value();
    auto demo = load_contracts(test_paths::graph_patterns_dir() / "demo");
    ASSERT_THAT(demo, IsOk());
    demo_contracts_ = std::move(demo).value();
  }

  // A thermometer SSA answering with one reading of `celsius` degrees.
  static Ssa thermometer(const std::string& id, double celsius) {
    Ssa ssa("https://example.org/thermometer/" + id, "Thermometer " + id);
    ssa.answer("answer-temperature",
               [id, celsius](const Request& req) -> Result<pattern::BindingSet> {
                 pattern::Binding b;
                 GRIDKE_TRY(req.put(b, "measurement", id + "/measurement/1", thermometers));
                 GRIDKE_TRY(req.put(b, "sensor", id, thermometers));
                 GRIDKE_TRY(req.put(b, "property", id + "/temperature", thermometers));
                 GRIDKE_TRY(req.put(b, "value", celsius, celsius_codec));
                 GRIDKE_TRY(req.put(b, "time", sys_days{2026y / 11 / 27} + 8h, time_codec));
                 return pattern::BindingSet{b};
               });
    return ssa;
  }

  static Ssa display() {
    Ssa ssa("https://example.org/display", "Display");
    ssa.ask("ask-temperature");
    return ssa;
  }

  engine::EmbeddedEngine engine_;
  ContractSet thermometer_contracts_;
  ContractSet demo_contracts_;
};

TEST_F(GenericAdapterTest, AsksAndAnswersThroughContracts) {
  auto kitchen =
      GenericAdapter::start(engine_, thermometer_contracts_, thermometer("kitchen", 19.5));
  ASSERT_THAT(kitchen, IsOk());
  auto hall = GenericAdapter::start(engine_, thermometer_contracts_, thermometer("hall", 17.25));
  ASSERT_THAT(hall, IsOk());
  auto screen = GenericAdapter::start(engine_, thermometer_contracts_, display());
  ASSERT_THAT(screen, IsOk());

  auto result = (*screen)->ask("ask-temperature");
  ASSERT_THAT(result, IsOk());
  ASSERT_EQ(result->bindings.size(), 2u);
  std::map<std::string, double> readings;
  for (const auto& b : result->bindings) {
    auto id = get(b, "thermometer", thermometers, "ask-temperature");
    auto c = get(b, "celsius", celsius_codec, "ask-temperature");
    auto at = get(b, "at", time_codec, "ask-temperature");
    ASSERT_THAT(id, IsOk());
    ASSERT_THAT(c, IsOk());
    ASSERT_THAT(at, IsOk());
    EXPECT_EQ(*at, sys_days{2026y / 11 / 27} + 8h);
    readings[*id] = *c;
  }
  EXPECT_EQ(readings, (std::map<std::string, double>{{"hall", 17.25}, {"kitchen", 19.5}}));
  ASSERT_EQ(result->exchange_info.size(), 2u);
  for (const auto& info : result->exchange_info) {
    EXPECT_EQ(info.status, engine::ExchangeStatus::succeeded) << info.failed_message;
    EXPECT_EQ(info.knowledge_interaction_id.substr(info.knowledge_interaction_id.rfind('/') + 1),
              "answer-temperature");
  }
}

TEST_F(GenericAdapterTest, AskBindingsReachTheAnswerHandler) {
  auto kitchen =
      GenericAdapter::start(engine_, thermometer_contracts_, thermometer("kitchen", 19.5));
  auto hall = GenericAdapter::start(engine_, thermometer_contracts_, thermometer("hall", 17.25));
  auto screen = GenericAdapter::start(engine_, thermometer_contracts_, display());
  ASSERT_THAT(screen, IsOk());
  pattern::Binding only_hall;
  ASSERT_THAT(put(only_hall, "thermometer", std::string("hall"), thermometers), IsOk());
  auto result = (*screen)->ask("ask-temperature", pattern::BindingSet{only_hall});
  ASSERT_THAT(result, IsOk());
  ASSERT_EQ(result->bindings.size(), 1u);
  EXPECT_EQ(get(result->bindings.bindings()[0], "celsius", celsius_codec).value(), 17.25);
}

TEST_F(GenericAdapterTest, PostsAndReactsThroughContracts) {
  Ssa hems("https://example.org/hems/house-17", "HEMS house 17");
  const IriCodec hems_ids{"https://example.org/hems/"};
  hems.react("react-power-limit", [&](const Request& req) -> Result<pattern::BindingSet> {
    pattern::BindingSet out;
    for (const auto& arg : req.bindings()) {
      GRIDKE_ASSIGN_OR_RETURN(double limit_kw, req.get(arg, "limitKw", DoubleCodec{}));
      GRIDKE_ASSIGN_OR_RETURN(std::string property, req.get(arg, "p", hems_ids));
      pattern::Binding b;
      GRIDKE_TRY(req.put(b, "p", property, hems_ids));
      GRIDKE_TRY(req.put(b, "s", property + "/setpoint", hems_ids));
      GRIDKE_TRY(req.put(b, "kw", std::min(limit_kw, 3.0), DoubleCodec{}));
      out.insert(std::move(b));
    }
    return out;
  });
  Ssa dso("https://example.org/dso", "DSO");
  dso.post("post-power-limit");
  auto house = GenericAdapter::start(engine_, demo_contracts_, std::move(hems));
  ASSERT_THAT(house, IsOk());
  auto grid = GenericAdapter::start(engine_, demo_contracts_, std::move(dso));
  ASSERT_THAT(grid, IsOk());

  pattern::Binding limit;
  ASSERT_THAT(put(limit, "limit", std::string("https://example.org/dso/limit/1"), IriCodec{}),
              IsOk());
  ASSERT_THAT(put(limit, "property", std::string("house-17/power"), hems_ids), IsOk());
  ASSERT_THAT(put(limit, "maxKw", 2.5, DoubleCodec{}), IsOk());
  ASSERT_THAT(put(limit, "validFrom", sys_days{2026y / 11 / 27} + 17h, time_codec), IsOk());
  auto result = (*grid)->post("post-power-limit", pattern::BindingSet{limit});
  ASSERT_THAT(result, IsOk());
  ASSERT_EQ(result->exchange_info.size(), 1u);
  ASSERT_EQ(result->result_bindings.size(), 1u) << result->exchange_info[0].failed_message;
  const auto& b = result->result_bindings.bindings()[0];
  EXPECT_EQ(get(b, "appliedKw", DoubleCodec{}).value(), 2.5);
  EXPECT_EQ(get(b, "setpoint", hems_ids).value(), "house-17/power/setpoint");
  ASSERT_EQ(result->exchange_info.size(), 1u);
  EXPECT_EQ(result->exchange_info[0].status, engine::ExchangeStatus::succeeded)
      << result->exchange_info[0].failed_message;
  EXPECT_EQ(result->exchange_info[0].knowledge_base_id, "https://example.org/hems/house-17");
}

TEST_F(GenericAdapterTest, AsyncHandlerRepliesFromAnotherThread) {
  Ssa slow("https://example.org/thermometer/slow", "Slow");
  slow.answer_async("answer-temperature", [](const Request&, engine::Reply reply) {
    std::thread([reply = std::move(reply)] {
      pattern::Binding b;
      auto r = [&]() -> Result<void> {
        GRIDKE_TRY(put(b, "measurement", std::string("slow/m"), thermometers));
        GRIDKE_TRY(put(b, "sensor", std::string("slow"), thermometers));
        GRIDKE_TRY(put(b, "property", std::string("slow/t"), thermometers));
        GRIDKE_TRY(put(b, "value", 5.0, celsius_codec));
        return put(b, "time", time_point_cast<system_clock::duration>(sys_days{2026y / 1 / 1}),
                   time_codec);
      }();
      if (!r) {
        reply(r.error());
        return;
      }
      reply(pattern::BindingSet{b});
    }).detach();
  });
  auto a = GenericAdapter::start(engine_, thermometer_contracts_, std::move(slow));
  ASSERT_THAT(a, IsOk());
  auto screen = GenericAdapter::start(engine_, thermometer_contracts_, display());
  ASSERT_THAT(screen, IsOk());
  auto result = (*screen)->ask("ask-temperature");
  ASSERT_THAT(result, IsOk());
  ASSERT_EQ(result->bindings.size(), 1u);
  EXPECT_EQ(get(result->bindings.bindings()[0], "celsius", celsius_codec).value(), 5.0);
}

TEST_F(GenericAdapterTest, HandlerErrorFailsOnlyThatKi) {
  auto good = GenericAdapter::start(engine_, thermometer_contracts_, thermometer("good", 20.0));
  Ssa broken("https://example.org/thermometer/broken", "Broken");
  broken.answer("answer-temperature", [](const Request& req) -> Result<pattern::BindingSet> {
    pattern::Binding b;
    GRIDKE_TRY(req.put(b, "sensor", std::string("not an id"), thermometers));
    return pattern::BindingSet{b};
  });
  Ssa throwing("https://example.org/thermometer/throwing", "Throwing");
  throwing.answer("answer-temperature", [](const Request&) -> Result<pattern::BindingSet> {
    throw std::runtime_error("sensor unplugged");
  });
  auto b = GenericAdapter::start(engine_, thermometer_contracts_, std::move(broken));
  auto t = GenericAdapter::start(engine_, thermometer_contracts_, std::move(throwing));
  auto screen = GenericAdapter::start(engine_, thermometer_contracts_, display());
  ASSERT_THAT(good, IsOk());
  ASSERT_THAT(b, IsOk());
  ASSERT_THAT(t, IsOk());
  ASSERT_THAT(screen, IsOk());
  auto result = (*screen)->ask("ask-temperature");
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->bindings.size(), 1u);
  ASSERT_EQ(result->exchange_info.size(), 3u);
  for (const auto& info : result->exchange_info) {
    if (info.knowledge_base_id.ends_with("/good")) {
      EXPECT_EQ(info.status, engine::ExchangeStatus::succeeded);
    } else if (info.knowledge_base_id.ends_with("/broken")) {
      EXPECT_EQ(info.status, engine::ExchangeStatus::failed);
      EXPECT_THAT(info.failed_message, HasSubstr("\"not an id\""));
    } else {
      EXPECT_EQ(info.status, engine::ExchangeStatus::failed);
      EXPECT_THAT(info.failed_message,
                  AllOf(HasSubstr("answer-temperature"), HasSubstr("sensor unplugged")));
    }
  }
}

TEST_F(GenericAdapterTest, StartRejectsUnknownContractAndLeavesNoKnowledgeBase) {
  Ssa ssa("https://example.org/x", "X");
  ssa.ask("ask-temperature").ask("ask-temprature");
  EXPECT_THAT(
      GenericAdapter::start(engine_, thermometer_contracts_, std::move(ssa)),
      HasError(ErrorCode::not_found, AllOf(HasSubstr("no contract named 'ask-temprature'"),
                                           HasSubstr("answer-temperature, ask-temperature"))));
  EXPECT_TRUE(engine_.knowledge_bases()->empty());
}

TEST_F(GenericAdapterTest, StartRejectsKindMismatch) {
  Ssa ssa("https://example.org/x", "X");
  ssa.ask("answer-temperature");
  EXPECT_THAT(GenericAdapter::start(engine_, thermometer_contracts_, std::move(ssa)),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("contract 'answer-temperature'"),
                             HasSubstr("declares an ANSWER KI, but the SSA uses it as ASK"))));
}

TEST_F(GenericAdapterTest, StartRejectsDuplicateUseAndMissingHandler) {
  Ssa twice("https://example.org/x", "X");
  twice.ask("ask-temperature").ask("ask-temperature");
  EXPECT_THAT(GenericAdapter::start(engine_, thermometer_contracts_, std::move(twice)),
              HasError(ErrorCode::invalid_argument, HasSubstr("declares this contract twice")));
  Ssa no_handler("https://example.org/x", "X");
  no_handler.answer("answer-temperature", Handler{});
  EXPECT_THAT(GenericAdapter::start(engine_, thermometer_contracts_, std::move(no_handler)),
              HasError(ErrorCode::invalid_argument, HasSubstr("needs a handler")));
}

TEST_F(GenericAdapterTest, StartReportsEngineErrorsAndRollsBack) {
  auto first = GenericAdapter::start(engine_, thermometer_contracts_, display());
  ASSERT_THAT(first, IsOk());
  EXPECT_THAT(GenericAdapter::start(engine_, thermometer_contracts_, display()),
              HasError(ErrorCode::already_exists, HasSubstr("already in use")));
  EXPECT_EQ(engine_.knowledge_bases()->size(), 1u);
}

TEST_F(GenericAdapterTest, StopUnregistersAndDeletesTheKnowledgeBase) {
  auto a = GenericAdapter::start(engine_, thermometer_contracts_, thermometer("k", 1.0));
  ASSERT_THAT(a, IsOk());
  auto id = (*a)->ki_id("answer-temperature");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(*id, "https://example.org/thermometer/k/interaction/answer-temperature");
  EXPECT_EQ(engine_.knowledge_interactions("https://example.org/thermometer/k")->size(), 1u);
  EXPECT_TRUE((*a)->is_running());
  EXPECT_THAT((*a)->stop(), IsOk());
  EXPECT_FALSE((*a)->is_running());
  EXPECT_TRUE(engine_.knowledge_bases()->empty());
  EXPECT_THAT((*a)->stop(), IsOk());
}

TEST_F(GenericAdapterTest, DestructorStops) {
  {
    auto a = GenericAdapter::start(engine_, thermometer_contracts_, display());
    ASSERT_THAT(a, IsOk());
    EXPECT_EQ(engine_.knowledge_bases()->size(), 1u);
  }
  EXPECT_TRUE(engine_.knowledge_bases()->empty());
}

TEST_F(GenericAdapterTest, AskChecksTheContract) {
  auto screen = GenericAdapter::start(engine_, thermometer_contracts_, display());
  ASSERT_THAT(screen, IsOk());
  EXPECT_THAT(
      (*screen)->ask("answer-temperature"),
      HasError(ErrorCode::not_found, AllOf(HasSubstr("contract 'answer-temperature'"),
                                           HasSubstr("did not declare this ASK contract (declared: "
                                                     "ask-temperature)"))));
  EXPECT_THAT((*screen)->post("ask-temperature", {}),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("this is an ASK contract; only POST contracts can be posted")));
  pattern::Binding wrong;
  ASSERT_THAT(put(wrong, "celcius", 1.0, celsius_codec), IsOk());
  EXPECT_THAT((*screen)->ask("ask-temperature", pattern::BindingSet{wrong}),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("contract 'ask-temperature'"), HasSubstr("celcius"))));
  ASSERT_THAT((*screen)->stop(), IsOk());
  EXPECT_THAT((*screen)->ask("ask-temperature"),
              HasError(ErrorCode::failed_precondition, HasSubstr("is stopped")));
}

TEST_F(GenericAdapterTest, ExposesItsContracts) {
  auto screen = GenericAdapter::start(engine_, thermometer_contracts_, display());
  ASSERT_THAT(screen, IsOk());
  ASSERT_NE((*screen)->contract("ask-temperature"), nullptr);
  EXPECT_EQ((*screen)->contract("ask-temperature")->ki.kind, ki::KiKind::ask);
  EXPECT_EQ((*screen)->contract("answer-temperature"), nullptr);
  EXPECT_FALSE((*screen)->ki_id("answer-temperature").has_value());
  EXPECT_EQ((*screen)->knowledge_base().id, "https://example.org/display");
}

}  // namespace
}  // namespace gridke::adapter
