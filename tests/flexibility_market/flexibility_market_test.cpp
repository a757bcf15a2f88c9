// FlexibilityMarket: registration, subscription, every offer / activation / settlement
// transition, gate closures (in time and late), malformed and unauthorised messages, and
// durability across a restart. Time is a ManualClock: a market day runs in microseconds.
#include "gridke/services/flexibility_market/flexibility_market.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>
#include <mutex>

#include "gridke/services/flexibility_market/model_json.hpp"
#include "gridke_matchers.hpp"
#include "market_test_time.hpp"

namespace gridke::services::flexibility_market {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

using test_time::at;

class RecordingNotifier : public Notifier {
 public:
  struct Message {
    std::string url, topic;
    nlohmann::json body;
  };
  void notify(const std::string& url, const std::string& topic,
              const nlohmann::json& body) override {
    std::lock_guard lock(mu);
    messages.push_back({url, topic, body});
  }
  std::vector<Message> by_topic(const std::string& topic) {
    std::lock_guard lock(mu);
    std::vector<Message> out;
    for (auto& m : messages) {
      if (m.topic == topic) out.push_back(m);
    }
    return out;
  }
  std::mutex mu;
  std::vector<Message> messages;
};

class FlexibilityMarketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("gridke_market_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    reopen();
  }
  void TearDown() override {
    market_.reset();
    std::filesystem::remove_all(dir_);
  }
  void reopen() {
    market_.reset();
    auto m = FlexibilityMarket::open((dir_ / "market.sqlite").string(), clock_, notifier_);
    ASSERT_THAT(m, IsOk());
    market_ = std::move(*m);
  }
  // Two FSPs in zone Z1 (one subscribed), one in Z2; a 15-minute down need on D at 19:00.
  void setup_day() {
    ASSERT_THAT(market_->register_fsp("cybergrid", "Cybergrid", {"Z1", "Z2"}), IsOk());
    ASSERT_THAT(market_->register_fsp("thermovault", "Thermovault", {"Z1"}), IsOk());
    ASSERT_THAT(market_->register_fsp("sensinov", "Sensinov", {"Z2"}), IsOk());
    ASSERT_THAT(
        market_->subscribe("cybergrid", "http://127.0.0.1:1/needs", "http://127.0.0.1:1/plan"),
        IsOk());
    ASSERT_THAT(
        market_->subscribe("sensinov", "http://127.0.0.1:2/needs", "http://127.0.0.1:2/plan"),
        IsOk());
    NeedInput n;
    n.zone = "Z1";
    n.needs_kw = 10;
    n.start = at("2026-11-28T19:00:00Z");
    n.end = at("2026-11-28T19:15:00Z");
    n.hems_ids = {"h1", "h2"};
    n.request_id = "FR-1";
    ASSERT_THAT(market_->publish_needs(Window::day_ahead, {n}), IsOk());
  }
  OfferInput offer(std::string fsp, double kw, double price) {
    OfferInput o;
    o.fsp_id = std::move(fsp);
    o.request_id = "FR-1";
    o.quantity_kw = kw;
    o.price_eur_per_mwh = price;
    return o;
  }
  std::vector<std::string> states(const std::string& id) {
    auto t = market_->transitions(id);
    EXPECT_THAT(t, IsOk());
    std::vector<std::string> out;
    for (const auto& x : *t) out.push_back(x.from + ">" + x.to);
    return out;
  }

  std::filesystem::path dir_;
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(at("2026-11-27T11:00:00Z"));
  std::shared_ptr<RecordingNotifier> notifier_ = std::make_shared<RecordingNotifier>();
  std::unique_ptr<FlexibilityMarket> market_;
};

TEST_F(FlexibilityMarketTest, RegistrationAndSubscriptionAreValidated) {
  EXPECT_THAT(market_->register_fsp("", "x", {"Z1"}),
              HasError(ErrorCode::invalid_argument, HasSubstr("fspId")));
  EXPECT_THAT(market_->register_fsp("a", "x", {}),
              HasError(ErrorCode::invalid_argument, HasSubstr("must serve at least one zone")));
  EXPECT_THAT(market_->subscribe("nobody", "http://h/n", "http://h/p"),
              HasError(ErrorCode::not_found, HasSubstr("'nobody' is not registered")));
  ASSERT_THAT(market_->register_fsp("a", "A", {"Z1"}), IsOk());
  EXPECT_THAT(market_->subscribe("a", "ftp://h/n", "http://h/p"),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("needsCallbackUrl: not an absolute http(s) URL")));
  EXPECT_THAT(market_->subscribe("a", "http://h/n", "/relative"),
              HasError(ErrorCode::invalid_argument, HasSubstr("activationPlanCallbackUrl")));
  EXPECT_THAT(market_->unsubscribe("a"),
              HasError(ErrorCode::failed_precondition, HasSubstr("not subscribed")));
  ASSERT_THAT(market_->subscribe("a", "http://h/n", "http://h/p"), IsOk());
  EXPECT_TRUE(market_->fsp("a")->subscribed());
  ASSERT_THAT(market_->unsubscribe("a"), IsOk());
  EXPECT_FALSE(market_->fsp("a")->subscribed());
}

TEST_F(FlexibilityMarketTest, NeedsGoOnlyToSubscribedFspsOfTheZone) {
  setup_day();
  const auto needs = notifier_->by_topic("needs");
  ASSERT_EQ(needs.size(),
            1u);  // cybergrid (Z1, subscribed); thermovault not subscribed; sensinov Z2
  EXPECT_EQ(needs[0].url, "http://127.0.0.1:1/needs");
  const auto& n = needs[0].body["needs"][0];
  EXPECT_EQ(n["requestId"], "FR-1");
  EXPECT_EQ(n["measurementUnit"], "kW");
  EXPECT_EQ(n["typePower"], "Active");
  EXPECT_EQ(n["direction"], "Down");
  EXPECT_EQ(n["offersClose"], "2026-11-27T16:00:00Z");
  EXPECT_EQ(n["planClose"], "2026-11-27T18:00:00Z");
  EXPECT_EQ(n["HEMSIds"], nlohmann::json({"h1", "h2"}));
}

TEST_F(FlexibilityMarketTest, NeedsAreValidated) {
  NeedInput n;
  n.zone = "Z1";
  n.needs_kw = -1;
  n.start = at("2026-11-28T19:00:00Z");
  n.end = n.start + 15min;
  EXPECT_THAT(market_->publish_needs(Window::day_ahead, {n}),
              HasError(ErrorCode::invalid_argument, HasSubstr("needs[0].needs: must be > 0")));
  n.needs_kw = 1;
  n.end = n.start;
  EXPECT_THAT(market_->publish_needs(Window::day_ahead, {n}),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("needs[0].endTime: must be after startTime")));
  n.end = n.start + 15min;
  n.request_id = "dup";
  EXPECT_THAT(
      market_->publish_needs(Window::day_ahead, {n, n}),
      HasError(ErrorCode::invalid_argument, HasSubstr("needs[1].requestId: 'dup' already exists")));
  EXPECT_TRUE(market_->needs().empty());  // nothing of a rejected batch is kept
}

TEST_F(FlexibilityMarketTest, LateNeedsAreRejected) {
  clock_->set(at("2026-11-27T16:00:00Z"));
  NeedInput n;
  n.zone = "Z1";
  n.needs_kw = 1;
  n.start = at("2026-11-28T19:00:00Z");
  n.end = n.start + 15min;
  EXPECT_THAT(
      market_->publish_needs(Window::day_ahead, {n}),
      HasError(ErrorCode::failed_precondition,
               HasSubstr("late needs: the day-ahead offer gate for 2026-11-28T19:00:00Z closed at "
                         "2026-11-27T16:00:00Z")));
}

TEST_F(FlexibilityMarketTest, OfferIsReceivedThenVerifiedActive) {
  setup_day();
  auto o = market_->submit_offer(offer("cybergrid", 6, 40));
  ASSERT_THAT(o, IsOk());
  EXPECT_EQ(o->state, OfferState::received);
  EXPECT_EQ(o->zone, "Z1");
  ASSERT_THAT(market_->verify_offer(o->offer_id), IsOk());
  EXPECT_EQ(market_->offer(o->offer_id)->state, OfferState::active);
  EXPECT_THAT(
      market_->verify_offer(o->offer_id),
      HasError(ErrorCode::failed_precondition, HasSubstr("is Active; only a Received offer")));
  EXPECT_THAT(states(o->offer_id), ::testing::ElementsAre(">Received", "Received>Active"));
}

TEST_F(FlexibilityMarketTest, OfferGateClosureIsEnforced) {
  setup_day();
  clock_->set(at("2026-11-27T15:59:59Z"));
  EXPECT_THAT(market_->submit_offer(offer("cybergrid", 6, 40)), IsOk());
  clock_->set(at("2026-11-27T16:00:00Z"));
  EXPECT_THAT(
      market_->submit_offer(offer("cybergrid", 6, 40)),
      HasError(ErrorCode::failed_precondition,
               HasSubstr("late offer: the day-ahead gate closure for offers on need 'FR-1' was "
                         "2026-11-27T16:00:00Z (now 2026-11-27T16:00:00Z)")));
}

TEST_F(FlexibilityMarketTest, MalformedAndUnauthorisedOffersAreRejected) {
  setup_day();
  EXPECT_THAT(market_->submit_offer(offer("nobody", 6, 40)),
              HasError(ErrorCode::not_found, HasSubstr("'nobody'")));
  EXPECT_THAT(market_->submit_offer(offer("sensinov", 6, 40)),
              HasError(ErrorCode::permission_denied, HasSubstr("no assets in zone 'Z1'")));
  auto bad_need = offer("cybergrid", 6, 40);
  bad_need.request_id = "FR-404";
  EXPECT_THAT(market_->submit_offer(bad_need),
              HasError(ErrorCode::not_found, HasSubstr("'FR-404' does not exist")));
  EXPECT_THAT(market_->submit_offer(offer("cybergrid", 0, 40)),
              HasError(ErrorCode::invalid_argument, HasSubstr("quantity: must be > 0")));
  EXPECT_THAT(
      market_->submit_offer(offer("cybergrid", 6, -1)),
      HasError(ErrorCode::invalid_argument, HasSubstr("price: must be a finite number >= 0")));
  auto min_too_big = offer("cybergrid", 6, 40);
  min_too_big.min_quantity_kw = 7;
  EXPECT_THAT(market_->submit_offer(min_too_big),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("minQuantity: must be within [0, quantity=")));
  auto short_offer = offer("cybergrid", 6, 40);
  short_offer.end = at("2026-11-28T19:10:00Z");
  EXPECT_THAT(market_->submit_offer(short_offer),
              HasError(ErrorCode::invalid_argument, HasSubstr("does not cover need 'FR-1'")));
  auto dup = offer("cybergrid", 6, 40);
  dup.offer_id = "mine";
  ASSERT_THAT(market_->submit_offer(dup), IsOk());
  EXPECT_THAT(market_->submit_offer(dup),
              HasError(ErrorCode::already_exists, HasSubstr("'mine' already exists")));
}

TEST_F(FlexibilityMarketTest, SuspendAndResumeFollowTheStateMachine) {
  setup_day();
  auto o = *market_->submit_offer(offer("cybergrid", 6, 40));
  EXPECT_THAT(
      market_->suspend_offer("cybergrid", o.offer_id, at("2026-11-28T00:00:00Z"),
                             "boiler maintenance"),
      HasError(ErrorCode::failed_precondition, HasSubstr("only an Active offer can be suspended")));
  ASSERT_THAT(market_->verify_offer(o.offer_id), IsOk());
  EXPECT_THAT(market_->suspend_offer("thermovault", o.offer_id, at("2026-11-28T00:00:00Z"), ""),
              HasError(ErrorCode::permission_denied, HasSubstr("belongs to 'cybergrid'")));
  EXPECT_THAT(market_->suspend_offer("cybergrid", o.offer_id, at("2026-11-27T10:00:00Z"), ""),
              HasError(ErrorCode::failed_precondition, HasSubstr("must end in the future")));
  ASSERT_THAT(
      market_->suspend_offer("cybergrid", o.offer_id, at("2026-11-27T13:00:00Z"), "maintenance"),
      IsOk());
  EXPECT_EQ(market_->offer(o.offer_id)->state, OfferState::suspended);
  ASSERT_THAT(market_->resume_offer("cybergrid", o.offer_id), IsOk());
  EXPECT_THAT(
      market_->resume_offer("cybergrid", o.offer_id),
      HasError(ErrorCode::failed_precondition, HasSubstr("only a Suspended offer can be resumed")));
  // A suspension that runs out is lifted by tick().
  ASSERT_THAT(market_->suspend_offer("cybergrid", o.offer_id, at("2026-11-27T13:00:00Z"), ""),
              IsOk());
  clock_->set(at("2026-11-27T13:00:00Z"));
  EXPECT_THAT(market_->tick(), ::testing::Optional(1));
  EXPECT_EQ(market_->offer(o.offer_id)->state, OfferState::active);
  EXPECT_THAT(states(o.offer_id),
              ::testing::ElementsAre(">Received", "Received>Active", "Active>Suspended",
                                     "Suspended>Active", "Active>Suspended", "Suspended>Active"));
}

TEST_F(FlexibilityMarketTest, UnselectedOffersExpireAtThePlanGate) {
  setup_day();
  auto cheap = *market_->submit_offer(offer("cybergrid", 10, 20));
  auto dear = *market_->submit_offer(offer("thermovault", 10, 90));
  clock_->set(at("2026-11-27T17:00:00Z"));
  auto plan = market_->clear(Window::day_ahead);
  ASSERT_THAT(plan, IsOk());
  ASSERT_EQ(plan->activations.size(), 1u);
  EXPECT_EQ(plan->activations[0].offer_id, cheap.offer_id);
  clock_->set(at("2026-11-27T18:00:00Z"));
  ASSERT_THAT(market_->tick(), IsOk());
  EXPECT_EQ(market_->offer(dear.offer_id)->state, OfferState::expired);
  EXPECT_EQ(market_->offer(cheap.offer_id)->state, OfferState::active);
  EXPECT_THAT(states(dear.offer_id),
              ::testing::ElementsAre(">Received", "Received>Active", "Active>Expired"));
}

TEST_F(FlexibilityMarketTest, ClearingSendsTheActivationPlanAndReportsUncovered) {
  setup_day();
  ASSERT_THAT(market_->submit_offer(offer("cybergrid", 4, 20)), IsOk());
  ASSERT_THAT(market_->submit_offer(offer("thermovault", 3, 30)), IsOk());
  clock_->set(at("2026-11-27T17:00:00Z"));
  auto plan = market_->clear(Window::day_ahead);
  ASSERT_THAT(plan, IsOk());
  ASSERT_EQ(plan->activations.size(), 2u);
  ASSERT_EQ(plan->uncovered.size(), 1u);
  EXPECT_DOUBLE_EQ(plan->uncovered[0].missing_kw, 3);
  const auto sent = notifier_->by_topic("activation-plan");
  ASSERT_EQ(sent.size(), 1u);  // thermovault is not subscribed: it polls
  EXPECT_EQ(sent[0].url, "http://127.0.0.1:1/plan");
  EXPECT_EQ(sent[0].body["activations"][0]["state"], "Sent");
  // A need is cleared once.
  EXPECT_THAT(
      market_->clear(Window::day_ahead),
      HasError(ErrorCode::failed_precondition, HasSubstr("no day-ahead needs are waiting")));
}

TEST_F(FlexibilityMarketTest, LateActivationPlanIsRejected) {
  setup_day();
  ASSERT_THAT(market_->submit_offer(offer("cybergrid", 4, 20)), IsOk());
  clock_->set(at("2026-11-27T18:00:00Z"));
  EXPECT_THAT(
      market_->clear(Window::day_ahead),
      HasError(
          ErrorCode::failed_precondition,
          HasSubstr(
              "late activation plan: the day-ahead plan gate has closed for all 1 open needs")));
}

TEST_F(FlexibilityMarketTest, ActivationIsAcceptedOrRefusedOnce) {
  setup_day();
  ASSERT_THAT(market_->submit_offer(offer("cybergrid", 5, 20)), IsOk());
  ASSERT_THAT(market_->submit_offer(offer("thermovault", 5, 30)), IsOk());
  clock_->set(at("2026-11-27T17:00:00Z"));
  auto plan = *market_->clear(Window::day_ahead);
  ASSERT_EQ(plan.activations.size(), 2u);
  const auto& a = plan.activations[0];
  const auto& b = plan.activations[1];
  EXPECT_THAT(market_->respond_activation("thermovault", a.activation_id, true),
              HasError(ErrorCode::permission_denied, HasSubstr("belongs to 'cybergrid'")));
  EXPECT_THAT(market_->respond_activation("cybergrid", "AC-999", true),
              HasError(ErrorCode::not_found, HasSubstr("'AC-999' does not exist")));
  ASSERT_THAT(market_->respond_activation("cybergrid", a.activation_id, true), IsOk());
  EXPECT_EQ(market_->activation(a.activation_id)->state, ActivationState::accepted);
  EXPECT_THAT(
      market_->respond_activation("cybergrid", a.activation_id, false),
      HasError(ErrorCode::failed_precondition, HasSubstr("is Accepted; only a Sent activation")));
  ASSERT_THAT(market_->respond_activation("thermovault", b.activation_id, false), IsOk());
  EXPECT_EQ(market_->activation(b.activation_id)->state, ActivationState::cancelled);
  EXPECT_THAT(states(a.activation_id), ::testing::ElementsAre(">Sent", "Sent>Accepted"));
  EXPECT_THAT(states(b.activation_id), ::testing::ElementsAre(">Sent", "Sent>Cancelled"));
}

TEST_F(FlexibilityMarketTest, ActivationIsCancelledWhenTheResponseDelayExpires) {
  setup_day();
  ASSERT_THAT(market_->submit_offer(offer("cybergrid", 10, 20)), IsOk());
  clock_->set(at("2026-11-27T17:00:00Z"));
  auto plan = *market_->clear(Window::day_ahead);
  const auto id = plan.activations.at(0).activation_id;
  EXPECT_EQ(format_time(plan.activations[0].response_deadline), "2026-11-27T17:30:00Z");
  clock_->set(at("2026-11-27T17:30:01Z"));
  EXPECT_THAT(market_->respond_activation("cybergrid", id, true),
              HasError(ErrorCode::failed_precondition,
                       HasSubstr("late response: activation '" + id +
                                 "' had to be answered by 2026-11-27T17:30:00Z")));
  ASSERT_THAT(market_->tick(), IsOk());
  EXPECT_EQ(market_->activation(id)->state, ActivationState::cancelled);
  auto t = *market_->transitions(id);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_THAT(t[1].reason, HasSubstr("response delay expired"));
}

class SettledMarketTest : public FlexibilityMarketTest {
 protected:
  void accept_one() {
    setup_day();
    ASSERT_THAT(market_->submit_offer(offer("cybergrid", 10, 100)), IsOk());
    clock_->set(at("2026-11-27T17:00:00Z"));
    auto plan = market_->clear(Window::day_ahead);
    ASSERT_THAT(plan, IsOk());
    id_ = plan->activations.at(0).activation_id;
    ASSERT_THAT(market_->respond_activation("cybergrid", id_, true), IsOk());
    clock_->set(at("2026-11-28T20:00:00Z"));
  }
  std::string id_;
};

TEST_F(SettledMarketTest, VerificationNeedsBaselineAndMetering) {
  accept_one();
  EXPECT_THAT(market_->verify(id_),
              HasError(ErrorCode::failed_precondition, HasSubstr("no baseline from the FSP yet")));
  EXPECT_THAT(market_->submit_baseline("thermovault", id_, {{"h1", {12}}}),
              HasError(ErrorCode::permission_denied, HasSubstr("belongs to 'cybergrid'")));
  ASSERT_THAT(market_->submit_baseline("cybergrid", id_, {{"h1", {12}}, {"h2", {6}}}), IsOk());
  EXPECT_THAT(market_->verify(id_),
              HasError(ErrorCode::failed_precondition, HasSubstr("no metering data yet")));
  ASSERT_THAT(market_->submit_metering(id_, {{"h1", {4}}, {"h2", {5}}}), IsOk());
  auto v = market_->verify(id_);
  ASSERT_THAT(v, IsOk());
  EXPECT_DOUBLE_EQ(v->delivered_kw.at(0), 9);  // (12 − 4) + (6 − 5)
  EXPECT_DOUBLE_EQ(v->ratio, 0.9);
  EXPECT_DOUBLE_EQ(v->amount_eur, 9 * 0.25 * 100 / 1000);
  EXPECT_EQ(v->state, SettlementState::pending);
  EXPECT_THAT(market_->verify(id_),
              HasError(ErrorCode::failed_precondition, HasSubstr("already verified")));
}

TEST_F(SettledMarketTest, FspConfirmsOrDisputesOnce) {
  accept_one();
  EXPECT_THAT(market_->confirm_settlement("cybergrid", id_),
              HasError(ErrorCode::failed_precondition, HasSubstr("is not verified yet")));
  ASSERT_THAT(market_->submit_baseline("cybergrid", id_, {{"h1", {12}}}), IsOk());
  ASSERT_THAT(market_->submit_metering(id_, {{"h1", {2}}}), IsOk());
  ASSERT_THAT(market_->verify(id_), IsOk());
  EXPECT_THAT(market_->dispute_settlement("cybergrid", id_, ""),
              HasError(ErrorCode::invalid_argument, HasSubstr("a dispute needs a reason")));
  ASSERT_THAT(market_->dispute_settlement("cybergrid", id_, "meter h1 was offline"), IsOk());
  EXPECT_THAT(market_->confirm_settlement("cybergrid", id_),
              HasError(ErrorCode::failed_precondition, HasSubstr("already Disputed")));
  EXPECT_THAT(states(id_), ::testing::Contains(">Pending"));
  EXPECT_THAT(states(id_), ::testing::Contains("Pending>Disputed"));
}

TEST_F(SettledMarketTest, ConfirmedSettlement) {
  accept_one();
  ASSERT_THAT(market_->submit_baseline("cybergrid", id_, {{"h1", {12}}}), IsOk());
  ASSERT_THAT(market_->submit_metering(id_, {{"h1", {2}}}), IsOk());
  ASSERT_THAT(market_->verify(id_), IsOk());
  auto v = market_->confirm_settlement("cybergrid", id_);
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->state, SettlementState::confirmed);
}

TEST_F(SettledMarketTest, OutcomeReportIsStoredWithTheVerification) {
  accept_one();
  EXPECT_THAT(market_->report_outcome("cybergrid", id_, true, -5),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("percentOfTarget: must be within [0, 1000]")));
  ASSERT_THAT(market_->report_outcome("cybergrid", id_, true, 93.5), IsOk());
  ASSERT_THAT(market_->submit_baseline("cybergrid", id_, {{"h1", {12}}}), IsOk());
  ASSERT_THAT(market_->submit_metering(id_, {{"h1", {2}}}), IsOk());
  auto v = market_->verify(id_);
  ASSERT_THAT(v, IsOk());
  ASSERT_TRUE(v->outcome.has_value());
  EXPECT_TRUE(v->outcome->succeeded);
  EXPECT_DOUBLE_EQ(v->outcome->percent_of_target, 93.5);
}

TEST_F(SettledMarketTest, BaselineForACancelledActivationIsRejected) {
  setup_day();
  ASSERT_THAT(market_->submit_offer(offer("cybergrid", 10, 100)), IsOk());
  clock_->set(at("2026-11-27T17:00:00Z"));
  const auto id = market_->clear(Window::day_ahead)->activations.at(0).activation_id;
  ASSERT_THAT(market_->respond_activation("cybergrid", id, false), IsOk());
  EXPECT_THAT(market_->submit_baseline("cybergrid", id, {{"h1", {1}}}),
              HasError(ErrorCode::failed_precondition,
                       HasSubstr("baselines are for Accepted activations")));
  EXPECT_THAT(
      market_->submit_metering(id, {{"h1", {1}}}),
      HasError(ErrorCode::failed_precondition, HasSubstr("metering is for Accepted activations")));
}

TEST_F(SettledMarketTest, EverythingAcceptedSurvivesARestart) {
  accept_one();
  ASSERT_THAT(market_->submit_baseline("cybergrid", id_, {{"h1", {12}}}), IsOk());
  ASSERT_THAT(market_->submit_metering(id_, {{"h1", {2}}}), IsOk());
  ASSERT_THAT(market_->report_outcome("cybergrid", id_, false, 40), IsOk());
  const auto before = *market_->transitions();
  reopen();
  EXPECT_EQ(market_->fsps().size(), 3u);
  EXPECT_TRUE(market_->fsp("cybergrid")->subscribed());
  EXPECT_EQ(market_->needs().size(), 1u);
  EXPECT_EQ(market_->offers().size(), 1u);
  EXPECT_EQ(market_->activation(id_)->state, ActivationState::accepted);
  EXPECT_EQ(market_->transitions()->size(), before.size());
  EXPECT_DOUBLE_EQ(market_->outcome(id_)->percent_of_target, 40);
  auto v = market_->verify(id_);  // baseline and metering were kept
  ASSERT_THAT(v, IsOk());
  EXPECT_DOUBLE_EQ(v->delivered_kwh, 2.5);
  // Generated ids continue after a restart.
  NeedInput n;
  n.zone = "Z1";
  n.needs_kw = 1;
  n.start = at("2026-11-30T19:00:00Z");
  n.end = n.start + 15min;
  auto published = market_->publish_needs(Window::day_ahead, {n});
  ASSERT_THAT(published, IsOk());
  EXPECT_NE(published->at(0).request_id, "FR-1");
}

TEST_F(FlexibilityMarketTest, IntradayGatesFollowTheDeliveryTime) {
  ASSERT_THAT(market_->register_fsp("cybergrid", "Cybergrid", {"Z1"}), IsOk());
  clock_->set(at("2026-11-28T06:00:00Z"));
  NeedInput n;
  n.zone = "Z1";
  n.needs_kw = 5;
  n.start = at("2026-11-28T14:00:00Z");
  n.end = n.start + 15min;
  n.request_id = "ID-1";
  auto published = market_->publish_needs(Window::intraday, {n});
  ASSERT_THAT(published, IsOk());
  EXPECT_EQ(format_time(published->at(0).offers_close), "2026-11-28T11:00:00Z");
  OfferInput o;
  o.fsp_id = "cybergrid";
  o.request_id = "ID-1";
  o.quantity_kw = 5;
  o.price_eur_per_mwh = 50;
  clock_->set(at("2026-11-28T11:00:00Z"));
  EXPECT_THAT(market_->submit_offer(o),
              HasError(ErrorCode::failed_precondition, HasSubstr("late offer: the intraday")));
  clock_->set(at("2026-11-28T10:59:00Z"));
  ASSERT_THAT(market_->submit_offer(o), IsOk());
  clock_->set(at("2026-11-28T12:00:00Z"));
  EXPECT_THAT(
      market_->clear(Window::intraday),
      HasError(ErrorCode::failed_precondition, HasSubstr("late activation plan: the intraday")));
}

}  // namespace
}  // namespace gridke::services::flexibility_market
